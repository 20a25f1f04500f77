package io.threatbridge.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One integration's tenant: FAILING once its last deliveries all failed (interface.md section 1).
 * One integration's trouble never makes /observe/health or /ready answer 503: this check is neither
 * readiness nor liveness, and reports a failing tenant as UNKNOWN, with its state, count and last
 * error in the details. Camel's /observe/health answers 503 for any check that is DOWN, UNKNOWN it
 * lists without failing the whole; so monitoring sees the tenant by name, and one customer's
 * revoked consent or outage never gets the bridge taken out of service or restarted.
 */
public class IntegrationHealthCheck extends AbstractHealthCheck {

    public static final String PREFIX = "integration-";

    private final LongSupplier failuresInARow;
    private final Supplier<String> lastError;
    private final long threshold;

    public IntegrationHealthCheck(String integration, LongSupplier failuresInARow, Supplier<String> lastError, long threshold) {
        super("threat-bridge", PREFIX + integration);
        this.failuresInARow = failuresInARow;
        this.lastError = lastError;
        this.threshold = threshold;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        long failures = failuresInARow.getAsLong();
        builder.detail("failuresInARow", failures);
        if (threshold > 0 && failures >= threshold) {
            builder.detail("state", "FAILING");
            builder.unknown().message("FAILING: the last " + failures + " deliveries failed; last error: " + lastError.get());
        } else {
            builder.detail("state", "UP");
            builder.up();
        }
    }
}
