package io.threatbridge.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;
import java.util.function.Supplier;

/**
 * Readiness of a part the bridge cannot work without (the broker connection, the store): DOWN while
 * it does not answer, so /observe/health says 503 (interface.md section 1). Not a liveness check:
 * restarting the bridge would not bring the part back.
 */
public class PartHealthCheck extends AbstractHealthCheck {

    private final Supplier<String> problem;

    /** @param problem what is wrong with the part, or null while it works */
    public PartHealthCheck(String id, Supplier<String> problem) {
        super("threat-bridge", id);
        this.problem = problem;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String wrong = problem.get();
        if (wrong == null) {
            builder.up();
        } else {
            builder.down().message(wrong);
        }
    }
}
