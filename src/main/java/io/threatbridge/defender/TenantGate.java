package io.threatbridge.defender;

import io.threatbridge.integration.Integration;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds back calls to a tenant that answered 429 until its Retry-After has passed. Only the delivery
 * routes of that tenant wait here; every other tenant's route runs on.
 */
public class TenantGate {

    private final Map<String, Instant> closedUntil = new ConcurrentHashMap<>();

    public void close(Integration integration, long untilEpochMillis) {
        closedUntil.merge(integration.tenantId(), Instant.ofEpochMilli(untilEpochMillis),
                (a, b) -> a.isAfter(b) ? a : b);
    }

    public void awaitOpen(Integration integration) throws InterruptedException {
        Instant until = closedUntil.get(integration.tenantId());
        while (until != null) {
            Duration wait = Duration.between(Instant.now(), until);
            if (wait.isNegative() || wait.isZero()) {
                closedUntil.remove(integration.tenantId(), until);
                return;
            }
            Thread.sleep(Math.min(wait.toMillis() + 1, 1000));
            until = closedUntil.get(integration.tenantId());
        }
    }
}
