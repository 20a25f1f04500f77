package io.threatbridge.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One integration's tenant: DOWN once its last deliveries all failed. Neither readiness nor
 * liveness, so it shows (and turns DOWN) on /observe/health for operators and monitoring, while
 * /observe/health/ready and /live stay about the bridge itself: one customer's revoked consent or
 * outage must not get the whole bridge taken out of service or restarted, which would hold up
 * every other tenant.
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
            builder.down().message("the last " + failures + " deliveries failed; last error: " + lastError.get());
        } else {
            builder.up();
        }
    }
}
