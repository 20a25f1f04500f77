package io.threatbridge.store;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store remembers, on H2 and on PostgreSQL, with the schema Flyway makes. */
class DeliveryStoreTest {

    /** The store's clock and this JVM's are the same machine's, read to the millisecond. */
    private static final long CLOCK_GRANULARITY_MS = 2;

    @TempDir
    Path dir;

    private DeliveryStore open(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        return new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void remembersEventsAndAlertsAcrossReopening(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        try (DeliveryStore store = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null)) {
            assertFalse(store.isDone("contoso", "ev-1"));
            assertNull(store.alertId("contoso", "thr-1"));
            store.saveAlert("contoso", "thr-1", "da-1", "ev-1");
            store.markDone("contoso", "ev-1", "created", "da-1");
            store.markDone("contoso", "ev-1", "created", "da-1");
            store.saveAlert("contoso", "thr-1", "da-2", "ev-9");
            store.markResolved("contoso", "thr-1");
        }
        // opened again: Flyway finds its schema in place and the rows are still there
        try (DeliveryStore store = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null)) {
            assertTrue(store.isDone("contoso", "ev-1"));
            assertFalse(store.isDone("fabrikam", "ev-1"), "per integration");
            assertEquals("da-1", store.alertId("contoso", "thr-1"), "the first alert of a threat stays its alert");
            assertNull(store.alertId("fabrikam", "thr-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aDeliveryReadsItsStateInOneLookAndRecordsACreateWithItsPendingRowGone(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            assertEquals(new DeliveryState(false, null, null), store.lookUp("contoso", "ev-1", "thr-1"));

            store.beginCreate("contoso", "thr-1", "ev-1");
            DeliveryState pending = store.lookUp("contoso", "ev-1", "thr-1");
            assertFalse(pending.done());
            assertNull(pending.alertId());
            assertEquals("ev-1", pending.pending().eventId());

            store.recordCreated("contoso", "thr-1", "da-1", "ev-1");
            store.markDone("contoso", "ev-1", "created", "da-1");
            assertEquals(new DeliveryState(true, "da-1", null), store.lookUp("contoso", "ev-1", "thr-1"));
            assertEquals(new DeliveryState(false, null, null), store.lookUp("fabrikam", "ev-1", "thr-1"), "per integration");

            // a second create for the threat (another instance's, say): its pending row still goes,
            // the first alert stays the threat's
            store.beginCreate("contoso", "thr-1", "ev-2");
            store.recordCreated("contoso", "thr-1", "da-2", "ev-2");
            assertEquals(new DeliveryState(false, "da-1", null), store.lookUp("contoso", "ev-2", "thr-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aQuotaWindowIsSharedByEveryInstanceOnTheStore(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        String tenant = "tenant-a endpoint create";
        // two stores on one database, as two bridge instances have
        try (DeliveryStore one = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null);
             DeliveryStore other = new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null)) {
            assertEquals(0, one.countCall(tenant, "call-1", 2, 60_000));
            assertEquals(0, other.countCall(tenant, "call-2", 2, 60_000));
            long wait = one.countCall(tenant, "call-3", 2, 60_000);
            assertTrue(wait > 50_000 && wait <= 60_000, "the third call waits for the first to leave the window: " + wait);
            assertEquals(0, other.countCall("tenant-b endpoint create", "call-4", 2, 60_000), "another tenant's quota is its own");

            // an answered call counts from its answer: answered 300 ms after it was counted, it holds
            // its slot for a whole window from then, not only for what is left of the first one
            String answered = "tenant-d endpoint create";
            long countedAt = System.currentTimeMillis();
            assertEquals(0, one.countCall(answered, "slow-call", 1, 500));
            await().until(() -> System.currentTimeMillis() >= countedAt + 300);
            long answeredAt = System.currentTimeMillis();
            one.recountCall(answered, "slow-call");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> other.countCall(answered, "next-call", 1, 500) == 0);
            long free = System.currentTimeMillis() - answeredAt;
            assertTrue(free >= 500 - CLOCK_GRANULARITY_MS, "the next call waited a window from the answer: " + free + " ms");

            // both instances' delivery threads at once: exactly the quota gets through
            String race = "tenant-c endpoint update";
            ExecutorService threads = Executors.newFixedThreadPool(8);
            try {
                List<Future<Long>> waits = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    DeliveryStore store = i % 2 == 0 ? one : other;
                    String call = "race-" + i;
                    waits.add(threads.submit(() -> store.countCall(race, call, 3, 60_000)));
                }
                long counted = 0;
                for (Future<Long> each : waits) {
                    counted += each.get() == 0 ? 1 : 0;
                }
                assertEquals(3, counted, "calls counted of 8 racing for a quota of 3");
            } finally {
                threads.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anUnreachableStoreFailsLoudly(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            store.close();
            StoreUnavailableException error = org.junit.jupiter.api.Assertions.assertThrows(StoreUnavailableException.class,
                    () -> store.isDone("contoso", "ev-1"));
            assertTrue(error.getMessage().startsWith("state store: "));
        }
    }

    /** A Sentinel batch: which events are done asked once, recorded in one transaction, a row recorded before kept. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchOfEventsIsLookedUpAndRecordedTogether(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            assertEquals(java.util.Set.of(), store.doneEvents("soc", List.of()));
            store.markDone("soc", "ev-2", "created", null);
            store.markAllDone("soc", List.of("ev-1", "ev-2", "ev-3"), "ingested");
            assertEquals(java.util.Set.of("ev-1", "ev-2", "ev-3"), store.doneEvents("soc", List.of("ev-1", "ev-2", "ev-3", "ev-4")));
            assertEquals(java.util.Set.of(), store.doneEvents("other", List.of("ev-1")), "per integration");
            store.markAllDone("soc", List.of("ev-4"), "ingested");
            assertTrue(store.isDone("soc", "ev-4"));
        }
    }
}
