package io.threatbridge.route;

import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.integration.IntegrationsFileException;

import io.threatbridge.ops.Operations;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Applies a changed integrations file without a restart: checked first, refused whole when it has
 * an error (the running integrations stay), otherwise added integrations get their MBean (and a
 * Sentinel one its route) and their queue is looked at for events already waiting, removed or
 * disabled ones are no longer delivered (their queue and its events stay in the broker), and
 * changed levels, accounts and URLs apply to the next event.
 */
public class IntegrationsReload {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationsReload.class);

    private final CamelContext camel;
    private final IntegrationRegistry registry;
    private final Operations operations;
    private final DeliveryControl delivery;
    private FileTime seen;
    private volatile String problem;

    public IntegrationsReload(CamelContext camel, IntegrationRegistry registry, Operations operations, DeliveryControl delivery) {
        this.camel = camel;
        this.delivery = delivery;
        this.registry = registry;
        this.operations = operations;
        this.seen = modified();
    }

    /** Called on a timer: reloads when the file's modification time moved. */
    public synchronized void reloadIfChanged() throws Exception {
        FileTime now = modified();
        if (now == null) {
            problem = "integrations file " + registry.file() + " is missing; the running integrations stay";
            return;
        }
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        long started = System.nanoTime();
        Map<String, Integration> before = new HashMap<>();
        registry.all().forEach(integration -> before.put(integration.name(), integration));
        List<Integration> after;
        try {
            after = registry.reload();
        } catch (IntegrationsFileException refused) {
            LOG.error("integrations file refused, the running integrations stay: {}", refused.getMessage());
            problem = "integrations file refused, the running integrations stay: " + refused.getMessage();
            return;
        }
        problem = null;
        List<String> toLookAt = new ArrayList<>();
        for (Integration integration : after) {
            Integration old = before.remove(integration.name());
            boolean hadRoute = IntegrationRoutes.hasRoute(old);
            boolean hasRoute = IntegrationRoutes.hasRoute(integration);
            if (hadRoute && !hasRoute) {
                removeRoute(integration.name());
            } else if (hasRoute && !hadRoute) {
                TemplatedRouteBuilder.builder(camel, IntegrationRoutes.SENTINEL_TEMPLATE)
                        .routeId(IntegrationRoutes.routeId(integration.name()))
                        .parameter("integration", integration.name()).add();
            }
            if (integration.enabled() && !hasRoute && (old == null || !old.enabled() || hadRoute)) {
                // added, enabled, or moved off Sentinel: events may wait on its queue already
                toLookAt.add(integration.name());
            }
            operations.register(integration);
        }
        for (Integration removed : before.values()) {
            if (IntegrationRoutes.hasRoute(removed)) {
                removeRoute(removed.name());
            }
            operations.unregister(removed.name());
        }
        if (!toLookAt.isEmpty()) {
            delivery.lookForEvents(toLookAt);
        }
        LOG.info("integrations file reloaded in {} ms: {} integration(s) in force",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), after.size());
    }

    /**
     * Why the file on disk cannot be used (missing, or refused at the last reload), or null when
     * the running integrations are what it says. The bridge goes on with the running ones, but the
     * next restart would fail: readiness says so while there is time to fix it.
     */
    public String problem() {
        return problem;
    }

    private void removeRoute(String integration) throws Exception {
        String id = IntegrationRoutes.routeId(integration);
        camel.getRouteController().stopRoute(id);
        camel.removeRoute(id);
    }

    private FileTime modified() {
        try {
            return Files.getLastModifiedTime(registry.file());
        } catch (IOException gone) {
            return null;
        }
    }
}
