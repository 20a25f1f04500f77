package io.threatbridge.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.threatbridge.health.IntegrationHealthCheck;
import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.Integration;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The integrations' counters, which the routes update by name, shown twice: as MBeans in the
 * platform MBean server (threatbridge:type=Integration,name=...) and as Prometheus counters labelled
 * by integration on /observe/metrics (threatbridge_delivered_total{integration="..."} and so on).
 */
public class Operations extends ServiceSupport {

    private final CamelContext camel;
    private final List<Integration> integrations;
    private final Map<String, IntegrationStats> stats = new ConcurrentHashMap<>();
    private final java.util.Set<String> withHealthCheck = ConcurrentHashMap.newKeySet();
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

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

    static ObjectName objectName(String integration) throws Exception {
        return new ObjectName("threatbridge:type=Integration,name=" + integration);
    }

    static final String DEAD_LETTERS = "threatbridge:type=DeadLetters";

    @Override
    protected void doStart() throws Exception {
        ObjectName dead = new ObjectName(DEAD_LETTERS);
        if (server.isRegistered(dead)) {
            server.unregisterMBean(dead);
        }
        server.registerMBean(new StandardMBean(deadLetters, DeadLettersMBean.class), dead);
        for (Integration integration : integrations) {
            register(integration);
        }
    }

    /**
     * The integration's MBean and metrics; again after a reload does no harm. Its health check comes
     * with its tenant's first failure ({@link #showHealthOf}): a registry of thousands of checks, most
     * of them for quiet tenants, would make every start and every look-up of a check slow.
     */
    public void register(Integration integration) throws Exception {
        ObjectName name = objectName(integration.name());
        if (!server.isRegistered(name)) {
            server.registerMBean(new StandardMBean(of(integration.name()), IntegrationMBean.class), name);
        }
        MeterRegistry meters = camel.getRegistry().findSingleByType(MeterRegistry.class);
        if (meters != null) {
            IntegrationStats counters = of(integration.name());
            counter(meters, "threatbridge.delivered", "alerts delivered to Defender or Graph, rows to Sentinel", counters, IntegrationStats::getDelivered);
            counter(meters, "threatbridge.filtered", "events below the integration's filter level, or for a disabled integration", counters, IntegrationStats::getFiltered);
            counter(meters, "threatbridge.dead.lettered", "events put on the dead-letter queue", counters, IntegrationStats::getDeadLettered);
            counter(meters, "threatbridge.retried", "failed attempts that will be tried again", counters, IntegrationStats::getRetried);
            counter(meters, "threatbridge.rate.limited", "429 answers from Defender", counters, IntegrationStats::getRateLimited);
        }
    }

    /** The integration's own check in the details of /observe/health, from its tenant's first failure on. */
    private void showHealthOf(String integration) {
        if (!withHealthCheck.add(integration)) {
            return;
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            IntegrationStats counters = of(integration);
            health.register(new IntegrationHealthCheck(integration, counters::failuresInARow, counters::getLastError, failuresToReport));
        }
    }

    public void unregister(String integration) throws Exception {
        ObjectName name = objectName(integration);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null && withHealthCheck.remove(integration)) {
            health.getCheck(IntegrationHealthCheck.PREFIX + integration).ifPresent(health::unregister);
        }
    }

    private static void counter(MeterRegistry meters, String name, String description, IntegrationStats counters,
                                ToDoubleFunction<IntegrationStats> value) {
        FunctionCounter.builder(name, counters, value).description(description)
                .tag("integration", counters.name()).register(meters);
    }

    @Override
    protected void doStop() throws Exception {
        if (server.isRegistered(new ObjectName(DEAD_LETTERS))) {
            server.unregisterMBean(new ObjectName(DEAD_LETTERS));
        }
        for (String integration : stats.keySet()) {
            unregister(integration);
        }
    }
}
