package io.threatbridge;

import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.StoreRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The running bridge deletes, in the background, what its store keeps no longer (bridge.store.retention),
 * logs one line for the run, and still makes no second call for a copy of an event it kept.
 */
class RetentionTest {

    @TempDir
    Path dir;

    @Test
    void theBridgeDeletesExpiredRowsInTheBackgroundAndStillSuppressesAKeptEventsCopy() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft(); LogCapture log = new LogCapture()) {
            microsoft.acceptAlerts("/rt");
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.store.retention-interval-ms", "200");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("rt", "tenant-rt", "acme", microsoft.baseUrl() + "/rt");
            String kept = Events.event("rt-kept", "acme", "thr-kept", "CRITICAL", "ACTIVE").toString();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                DeliveryStore store = bridge.store();
                bridge.send(Events.event("rt-old-1", "acme", "thr-old", "CRITICAL", "ACTIVE").toString());
                await().until(() -> store.isDone("rt", "rt-old-1"));
                bridge.send(Events.event("rt-old-2", "acme", "thr-old", "CRITICAL", "RESOLVED").toString());
                bridge.send(kept);
                await().until(() -> store.isDone("rt", "rt-old-2") && store.isDone("rt", "rt-kept"));

                // the old threat's events and its resolved alert as if finished 31 days ago (the default retention is 30)
                Instant monthAgo = Instant.now().minus(Duration.ofDays(31));
                StoreRows.update(store, "UPDATE delivered_event SET delivered_at = ? WHERE event_id LIKE 'rt-old-%'", monthAgo);
                StoreRows.update(store, "UPDATE threat_alert SET updated_at = ? WHERE threat_id = 'thr-old'", monthAgo);
                await().until(() -> !store.isDone("rt", "rt-old-1") && !store.isDone("rt", "rt-old-2") && store.alertId("rt", "thr-old") == null);
                await().until(() -> log.text().contains("store retention: deleted 2 finished events, 1 resolved alerts and 0 unanswered creates older than 30 days"));
                assertTrue(store.isDone("rt", "rt-kept"));

                bridge.send(kept);
                bridge.send(Events.event("rt-after", "acme", "thr-after", "CRITICAL", "ACTIVE").toString());
                await().until(() -> store.isDone("rt", "rt-after"));
                assertEquals(3, microsoft.creates("/rt").size(), "thr-old, thr-kept once, thr-after: the kept event's copy made no call");
            }
        }
    }

    /** A retention no longer than an event's retries would forget an event a retry may still bring again. */
    @Test
    void aRetentionShorterThanTheRetriesIsRefusedAtStart() {
        Map<String, String> settings = Map.of("bridge.store.retention", "PT6H");
        String yaml = "integrations:\n" + FakeMicrosoft.integration("rt", "tenant-rt", "acme", "https://api.security.microsoft.com");
        Exception refused = assertThrows(Exception.class, () -> BridgeHarness.start(dir, yaml, settings).close());
        Throwable cause = refused;
        while (cause != null && (cause.getMessage() == null || !cause.getMessage().contains("bridge.store.retention"))) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "the start failed for another reason: " + refused);
        assertTrue(cause.getMessage().contains("bridge.store.retention PT6H must be longer than the retries of an event (PT12H"),
                cause.getMessage());
    }
}
