package io.threatbridge.ops;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An integration's State (interface.md section 6) and the failures its health check reads recover by
 * themselves: a tenant that failed and then saw no call (no event came) is not reported failing
 * for ever, nor one that was throttled.
 */
class IntegrationStatsTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final IntegrationStats stats = new IntegrationStats("t", null, 5, now::get);

    @Test
    void failingEndsOnADeliveryOrByItselfOnceTheFailuresAreOld() {
        assertEquals("UP", stats.getState());
        for (int i = 0; i < 5; i++) {
            stats.retried("503", true);
        }
        assertEquals("FAILING", stats.getState());
        assertEquals(5, stats.failuresInARow());
        now.addAndGet(IntegrationStats.RECENT_MILLIS - 1);
        assertEquals("FAILING", stats.getState());
        now.addAndGet(1);
        assertEquals("UP", stats.getState(), "no failure for a minute: the check turns UP by itself");
        assertEquals(0, stats.failuresInARow());

        for (int i = 0; i < 5; i++) {
            stats.retried("503", true);
        }
        assertEquals("FAILING", stats.getState());
        stats.delivered();
        assertEquals("UP", stats.getState());
    }

    @Test
    void throttledEndsOnADeliveryOrByItself() {
        stats.rateLimited("429");
        assertEquals("THROTTLED", stats.getState());
        now.addAndGet(1);
        stats.delivered();
        assertEquals("UP", stats.getState());
        now.addAndGet(1);
        stats.rateLimited("429");
        now.addAndGet(IntegrationStats.RECENT_MILLIS);
        assertEquals("UP", stats.getState());
    }

    @Test
    void failuresThatAreTheRequestsFaultDoNotMakeTheTenantFailing() {
        for (int i = 0; i < 10; i++) {
            stats.deadLettered("400 Bad Request", false);
        }
        assertEquals("UP", stats.getState());
    }
}
