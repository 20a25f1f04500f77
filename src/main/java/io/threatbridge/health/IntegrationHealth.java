package io.threatbridge.health;

import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The integrations' own checks in the details of /observe/health, each from its tenant's first
 * failure on: a registry of thousands of checks, most of them for quiet tenants, would make every
 * start and every look-up of a check slow.
 */
public class IntegrationHealth {

    private final CamelContext camel;
    private final long failuresToReport;
    private final Set<String> shown = ConcurrentHashMap.newKeySet();

    /** @param failuresToReport deliveries in a row that must fail before an integration's check says so; 0: never */
    public IntegrationHealth(CamelContext camel, long failuresToReport) {
        this.camel = camel;
        this.failuresToReport = failuresToReport;
    }

    /** The integration's check, once. */
    public void show(String integration, LongSupplier failuresInARow, Supplier<String> lastError) {
        if (!shown.add(integration)) {
            return;
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            health.register(new IntegrationHealthCheck(integration, failuresInARow, lastError, failuresToReport));
        }
    }

    /** The integration's check gone, when it had one (the integration left the file). */
    public void remove(String integration) {
        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null && shown.remove(integration)) {
            health.getCheck(IntegrationHealthCheck.PREFIX + integration).ifPresent(health::unregister);
        }
    }
}
