package io.threatbridge.delivery;

import io.threatbridge.integration.FilterLevel;
import io.threatbridge.integration.Integration;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The circuit breaker's pause is bounded: however long a tenant failed, its calls never wait more
 * than 20 s, so after its outage ends its first delivery follows within 30 s (interface.md section 1).
 * Before the bound, the pause doubled to 5 minutes.
 */
class TenantGateTest {

    private static final Integration TENANT = new Integration("t", "tenant-t", List.of("acme"), FilterLevel.CRITICAL,
            "https://api.security.microsoft.com", Integration.Api.endpoint, true);

    @Test
    void aLongOutageNeverPausesCallsForMoreThanTwentySeconds() {
        TenantGate gate = new TenantGate();
        for (int i = 0; i < TenantGate.FAILURES_TO_OPEN - 1; i++) {
            gate.recordFailure(TENANT, null);
        }
        assertNull(gate.closedUntil(TENANT), "closed only after " + TenantGate.FAILURES_TO_OPEN + " failures in a row");
        for (int i = 0; i < 200; i++) {
            gate.recordFailure(TENANT, null);
        }
        Instant until = gate.closedUntil(TENANT);
        assertNotNull(until);
        Duration pause = Duration.between(Instant.now(), until);
        assertTrue(pause.compareTo(Duration.ofSeconds(20)) <= 0, "paused for " + pause);
    }
}
