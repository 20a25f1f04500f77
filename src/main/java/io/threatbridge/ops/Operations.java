package io.threatbridge.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.threatbridge.health.IntegrationHealth;
import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.Integration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The integrations' counters, which the routes update by name (io.threatbridge.route.IntegrationCounters),
 * shown as MBeans (IntegrationMBeans), as Prometheus counters (IntegrationMetrics), and, for a tenant
 * that failed, as a health check (IntegrationHealth). A service of the context: the MBeans come
 * with its start and go with its stop.
 */
public class Operations extends ServiceSupport {

    private final CamelContext camel;
    private final List<Integration> integrations;
    private final Map<String, IntegrationStats> stats = new ConcurrentHashMap<>();
    /** The integrations whose counters the meter registry has: a reload registers every integration again. */
    private final Set<String> metered = ConcurrentHashMap.newKeySet();
    private final IntegrationMBeans mbeans = new IntegrationMBeans();
    private final IntegrationHealth health;

    private final DeadLetters deadLetters;
    private final long failuresToReport;
    private final DeliveryControl delivery;

    /** @param failuresToReport deliveries in a row that must fail before an integration's health check says DOWN; 0: never */
    public Operations(CamelContext camel, List<Integration> integrations, DeadLetters deadLetters, long failuresToReport,
                      DeliveryControl delivery) {
        this.camel = camel;
        this.delivery = delivery;
        this.integrations = List.copyOf(integrations);
        this.deadLetters = deadLetters;
        this.failuresToReport = failuresToReport;
        this.health = new IntegrationHealth(camel, failuresToReport);
    }
    /** Counts a delivered alert; returns its latency since the bridge received the event, in ms (-1: not known). */
    public long delivered(String integration, Long receivedAt) {
        of(integration).delivered();
        return millisSince(receivedAt);
    }

    /** Counts events delivered together, as the rows of one Sentinel call. */
    public void deliveredRows(String integration, int events) {
        IntegrationStats counters = of(integration);
        for (int i = 0; i < events; i++) {
            counters.delivered();
        }
    }

    public void filtered(String integration) {
        of(integration).filtered();
    }

    /** @param tenants whether the failure was the tenant's (TenantFailures): it then counts against the tenant's health */
    public void deadLettered(String integration, String reason, boolean tenants) {
        if (integration != null) {
            of(integration).deadLettered(reason, tenants);
            if (tenants) {
                showHealthOf(integration);
            }
        }
    }

    /** @param tenants whether the failure was the tenant's (TenantFailures): it then counts against the tenant's health */
    public void retried(String integration, String reason, boolean tenants) {
        if (integration != null) {
            of(integration).retried(reason, tenants);
            if (tenants) {
                showHealthOf(integration);
            }
        }
    }

    public void rateLimited(String integration, String reason) {
        of(integration).rateLimited(reason);
    }

    private static long millisSince(Long epochMillis) {
        return epochMillis == null || epochMillis <= 0 ? -1 : System.currentTimeMillis() - epochMillis;
    }

    public IntegrationStats of(String integration) {
        return stats.computeIfAbsent(integration, name -> new IntegrationStats(name, delivery, failuresToReport));
    }

    @Override
    protected void doStart() throws Exception {
        mbeans.registerDeadLetters(deadLetters);
        for (Integration integration : integrations) {
            register(integration);
        }
    }

    /** The integration's MBean and metrics; again after a reload does no harm. Its health check comes with its tenant's first failure. */
    public void register(Integration integration) throws Exception {
        IntegrationStats counters = of(integration.name());
        mbeans.register(counters);
        MeterRegistry meters = camel.getRegistry().findSingleByType(MeterRegistry.class);
        // once: Micrometer warns of a counter registered again, and the registration costs the reload time
        if (meters != null && metered.add(integration.name())) {
            IntegrationMetrics.register(meters, counters);
        }
    }

    private void showHealthOf(String integration) {
        IntegrationStats counters = of(integration);
        health.show(integration, counters::failuresInARow, counters::getLastError);
    }

    public void unregister(String integration) throws Exception {
        mbeans.unregister(integration);
        health.remove(integration);
    }

    @Override
    protected void doStop() throws Exception {
        mbeans.unregisterDeadLetters();
        for (String integration : stats.keySet()) {
            unregister(integration);
        }
    }
}
