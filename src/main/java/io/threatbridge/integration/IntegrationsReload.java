package io.threatbridge.integration;

import io.threatbridge.ops.Operations;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a changed integrations file without a restart: checked first, refused whole when it has
 * an error (the running integrations stay), otherwise added integrations get their delivery route
 * and MBean, removed or disabled ones lose their route (their queue and its events stay in the
 * broker), and changed levels, accounts and URLs apply to the next event.
 */
public class IntegrationsReload {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrationsReload.class);

    private final CamelContext camel;
    private final IntegrationRegistry registry;
    private final Operations operations;
    private FileTime seen;
    private volatile String problem;

    public IntegrationsReload(CamelContext camel, IntegrationRegistry registry, Operations operations) {
        this.camel = camel;
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
        for (Integration integration : after) {
            Integration old = before.remove(integration.name());
            boolean wasRunning = old != null && old.enabled();
            if (integration.enabled() && !wasRunning) {
                TemplatedRouteBuilder.builder(camel, IntegrationRoutes.template(integration))
                        .routeId(IntegrationRoutes.routeId(integration.name()))
                        .parameter("integration", integration.name()).add();
            } else if (!integration.enabled() && wasRunning) {
                removeRoute(integration.name());
            } else if (integration.enabled() && !IntegrationRoutes.template(old).equals(IntegrationRoutes.template(integration))) {
                // moved to or from api: sentinel: the route of the other kind takes over the same queue
                removeRoute(integration.name());
                TemplatedRouteBuilder.builder(camel, IntegrationRoutes.template(integration))
                        .routeId(IntegrationRoutes.routeId(integration.name()))
                        .parameter("integration", integration.name()).add();
            }
            operations.register(integration);
        }
        for (Integration removed : before.values()) {
            if (removed.enabled()) {
                removeRoute(removed.name());
            }
            operations.unregister(removed.name());
        }
        LOG.info("integrations file reloaded: {} integration(s) in force", after.size());
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
