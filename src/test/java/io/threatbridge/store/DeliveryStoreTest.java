package io.threatbridge.store;


import io.threatbridge.event.InvalidEventException;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store remembers, on H2 and on PostgreSQL, with the schema Flyway makes. */
class DeliveryStoreTest {

    /** The store's clock and this JVM's are the same machine's, read to the millisecond. */
    private static final long CLOCK_GRANULARITY_MS = 2;

    @TempDir
    Path dir;

    private DeliveryStore open(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        return TestStores.open(settings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void remembersEventsAndAlertsAcrossReopening(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        try (DeliveryStore store = TestStores.open(settings)) {
            assertFalse(store.isDone("contoso", "ev-1"));
            assertNull(store.alertId("contoso", "thr-1"));
            store.saveAlert("contoso", "acme", "thr-1", "da-1", "ev-1", "endpoint");
            store.markDone("contoso", "acme", "ev-1", "created", "da-1");
            store.markDone("contoso", "acme", "ev-1", "created", "da-1");
            store.saveAlert("contoso", "acme", "thr-1", "da-2", "ev-9", "graph");
            store.markResolved("contoso", "acme", "thr-1");
        }
        // opened again: Flyway finds its schema in place and the rows are still there
        try (DeliveryStore store = TestStores.open(settings)) {
            assertTrue(store.isDone("contoso", "ev-1"));
            assertFalse(store.isDone("fabrikam", "ev-1"), "per integration");
            assertEquals("da-1", store.alertId("contoso", "thr-1"), "the first alert of a threat stays its alert");
            assertEquals("endpoint", store.alertApi("contoso", "thr-1"), "and the API that made it");
            assertNull(store.alertId("fabrikam", "thr-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aDeliveryReadsItsStateInOneLookAndRecordsACreateWithItsPendingRowGone(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            assertEquals(new DeliveryState(false, null, null, null), store.lookUp("contoso", "acme", "ev-1", "thr-1"));

            store.beginCreate("contoso", "acme", "thr-1", "ev-1", "endpoint");
            DeliveryState pending = store.lookUp("contoso", "acme", "ev-1", "thr-1");
            assertFalse(pending.done());
            assertNull(pending.alertId());
            assertEquals("ev-1", pending.pending().eventId());
            assertEquals("endpoint", pending.pending().api(), "the API the create went to, where its look-up goes");

            store.recordCreated("contoso", "acme", "thr-1", "da-1", "ev-1", "endpoint");
            store.markDone("contoso", "acme", "ev-1", "created", "da-1");
            assertEquals(new DeliveryState(true, "da-1", "endpoint", null), store.lookUp("contoso", "acme", "ev-1", "thr-1"));
            assertEquals(new DeliveryState(false, null, null, null), store.lookUp("fabrikam", "acme", "ev-1", "thr-1"), "per integration");

            // a second create for the threat (another instance's, say): its pending row still goes,
            // the first alert stays the threat's
            store.beginCreate("contoso", "acme", "thr-1", "ev-2", "endpoint");
            store.recordCreated("contoso", "acme", "thr-1", "da-2", "ev-2", "endpoint");
            assertEquals(new DeliveryState(false, "da-1", "endpoint", null), store.lookUp("contoso", "acme", "ev-2", "thr-1"));
        }
    }

    /**
     * The delivery's last write (one transaction, one durable commit of the H2 file) records a create's
     * alert, the end of its pending row and the event's done row; a resolve and its done row. When a
     * row is there already (another instance made the threat's alert, a copy of the event was
     * finished), the rest is still written and the first alert stays the threat's.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aFinishedDeliveryRecordsWhatItMadeWithItsDoneRow(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            store.beginCreate("contoso", "acme", "thr-1", "ev-1", "graph");
            store.recordCreatedAndDone("contoso", "acme", "thr-1", "da-1", "ev-1", "graph", "created");
            assertEquals(new DeliveryState(true, "da-1", "graph", null), store.lookUp("contoso", "acme", "ev-1", "thr-1"));

            // another create of the threat finished first: its alert stays, this event is still done, its pending row gone
            store.beginCreate("contoso", "acme", "thr-1", "ev-2", "endpoint");
            store.recordCreatedAndDone("contoso", "acme", "thr-1", "da-2", "ev-2", "endpoint", "created");
            assertEquals(new DeliveryState(true, "da-1", "graph", null), store.lookUp("contoso", "acme", "ev-2", "thr-1"));

            store.markResolvedAndDone("contoso", "acme", "thr-1", "ev-3", "resolved", "da-1");
            assertTrue(store.isDone("contoso", "acme", "ev-3"));
            // the resolve is recorded even when the event was finished before (a copy delivered meanwhile)
            store.saveAlert("contoso", "acme", "thr-2", "da-3", "ev-4", "graph");
            store.markDone("contoso", "acme", "ev-5", "resolved", "da-3");
            store.markResolvedAndDone("contoso", "acme", "thr-2", "ev-5", "resolved", "da-3");
            assertEquals(List.of("Resolved", "Resolved"), List.of(TestStores.alertStatus(store, "thr-1"), TestStores.alertStatus(store, "thr-2")));
        }
    }

    /**
     * Ids at the schema's limits fit both stores: 128 characters outside the Basic Multilingual Plane
     * (emoji: two UTF-16 units each, which is how H2 counts) for eventId, 256 for threat.id and accountId.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void idsAtTheirLimitsInEmojiFit(String kind) throws Exception {
        String eventId = "\uD83D\uDE00".repeat(128);
        String threatId = "\uD83D\uDC1B".repeat(256);
        String account = "\uD83C\uDFE2".repeat(256);
        try (DeliveryStore store = open(kind)) {
            store.beginCreate("contoso", account, threatId, eventId, "endpoint");
            store.recordCreated("contoso", account, threatId, "da-emoji", eventId, "endpoint");
            store.markDone("contoso", account, eventId, "created", "da-emoji");
            assertEquals(new DeliveryState(true, "da-emoji", "endpoint", null), store.lookUp("contoso", account, eventId, threatId));
        }
    }

    /**
     * A value the store cannot hold (too long; a NUL, which PostgreSQL cannot keep) is the event's
     * fault and would be refused again: InvalidEventException naming the field, which the delivery
     * sends to the dead-letter queue, not the wait for a store outage that would stall the tenant.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aValueTheStoreCannotHoldIsTheEventsFaultNotAnOutage(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            InvalidEventException tooLong = assertThrows(InvalidEventException.class,
                    () -> store.markDone("contoso", "acme", "e".repeat(300), "created", null));
            assertEquals("eventId: 300 UTF-16 units, more than the store's 256", tooLong.getMessage());
            InvalidEventException nul = assertThrows(InvalidEventException.class,
                    () -> store.beginCreate("contoso", "acme", "thr\u0000x", "ev-nul", "endpoint"));
            assertEquals("threat.id: holds a NUL character, which the store cannot keep", nul.getMessage());
            assertThrows(InvalidEventException.class, () -> store.lookUp("contoso", "acme\u0000", "ev", "thr"));
            // what the guard let through and the database still refused, by its SQLState
            InvalidEventException refused = assertThrows(InvalidEventException.class,
                    () -> store.markDone("contoso", "acme", "ev-long-outcome", "o".repeat(40), null));
            assertTrue(refused.getMessage().contains("the store refused the value (SQLState 22001)"), refused.getMessage());
        }
    }

    /** Only data errors (SQLState classes 22 and 23) are the event's; anything else is waited out. */
    @org.junit.jupiter.api.Test
    void sqlStatesAreSortedIntoDataErrorsAndOutages() {
        assertTrue(DeliveryStore.failure(new java.sql.SQLException("too long", "22001")) instanceof InvalidEventException);
        assertTrue(DeliveryStore.failure(new java.sql.SQLException("not null", "23502")) instanceof InvalidEventException);
        assertTrue(DeliveryStore.failure(new java.sql.SQLException("gone", "08006")) instanceof StoreUnavailableException);
        assertTrue(DeliveryStore.failure(new java.sql.SQLException("shutdown", "57P01")) instanceof StoreUnavailableException);
        assertTrue(DeliveryStore.failure(new java.sql.SQLTransientConnectionException("pool timed out")) instanceof StoreUnavailableException);
        assertTrue(DeliveryStore.failure(new java.sql.SQLException("raced", "23505")) instanceof StoreUnavailableException);
    }

    /** interface.md section 4: two accounts with the same threat.id and eventId never share, suppress or resolve each other's. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoAccountsNeverShareAnEventOrAnAlert(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            store.beginCreate("contoso", "acme", "thr-1", "ev-1", "endpoint");
            store.recordCreated("contoso", "acme", "thr-1", "da-acme", "ev-1", "endpoint");
            store.markDone("contoso", "acme", "ev-1", "created", "da-acme");
            assertEquals(new DeliveryState(false, null, null, null), store.lookUp("contoso", "globex", "ev-1", "thr-1"),
                    "globex's event ev-1 is not done, nor does its thr-1 have acme's alert or pending create");

            store.beginCreate("contoso", "globex", "thr-1", "ev-1", "endpoint");
            assertEquals(new DeliveryState(true, "da-acme", "endpoint", null), store.lookUp("contoso", "acme", "ev-1", "thr-1"),
                    "globex's pending create is not acme's");
            store.recordCreated("contoso", "globex", "thr-1", "da-globex", "ev-1", "endpoint");
            store.markDone("contoso", "globex", "ev-1", "created", "da-globex");
            store.markResolved("contoso", "globex", "thr-1");
            assertEquals("da-acme", store.alertId("contoso", "acme", "thr-1"));
            assertEquals("da-globex", store.alertId("contoso", "globex", "thr-1"));
            assertTrue(store.isDone("contoso", "globex", "ev-1"));
            assertFalse(store.isDone("contoso", "initech", "ev-1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aQuotaWindowIsSharedByEveryInstanceOnTheStore(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        String tenant = "tenant-a endpoint create";
        // two stores on one database, as two bridge instances have
        try (DeliveryStore one = TestStores.open(settings);
             DeliveryStore other = TestStores.open(settings)) {
            assertEquals(0, one.countCall(tenant, "call-1", windows(2, 60_000)));
            assertEquals(0, other.countCall(tenant, "call-2", windows(2, 60_000)));
            long wait = one.countCall(tenant, "call-3", windows(2, 60_000));
            assertTrue(wait > 50_000 && wait <= 60_000, "the third call waits for the first to leave the window: " + wait);
            assertEquals(0, other.countCall("tenant-b endpoint create", "call-4", windows(2, 60_000)), "another tenant's quota is its own");

            // an answered call counts from its answer: answered 300 ms after it was counted, it holds
            // its slot for a whole window from then, not only for what is left of the first one
            String answered = "tenant-d endpoint create";
            long countedAt = System.currentTimeMillis();
            assertEquals(0, one.countCall(answered, "slow-call", windows(1, 500)));
            await().until(() -> System.currentTimeMillis() >= countedAt + 300);
            long answeredAt = System.currentTimeMillis();
            one.recountCall(answered, "slow-call");
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                    .until(() -> other.countCall(answered, "next-call", windows(1, 500)) == 0);
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
                    waits.add(threads.submit(() -> store.countCall(race, call, windows(3, 60_000))));
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

    private static List<QuotaWindow> windows(int limit, long millis) {
        return List.of(new QuotaWindow(limit, millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void everyWindowOfAQuotaIsKept(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            // 3 a "minute" of 400 ms, 5 an "hour" of 60 s: the minute frees up, the hour does not
            List<QuotaWindow> windows = List.of(new QuotaWindow(3, 400), new QuotaWindow(5, 60_000));
            int counted = 0;
            long start = System.currentTimeMillis();
            while (System.currentTimeMillis() - start < 3000 && counted < 6) {
                if (store.countCall("tenant-h defender update", "c" + counted, windows) == 0) {
                    counted++;
                }
            }
            assertEquals(5, counted, "the hourly limit holds once the minute has room again");
            long wait = store.countCall("tenant-h defender update", "c-over", windows);
            assertTrue(wait > 50_000, "the wait is the hour's: " + wait);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void anAnchorIsRememberedPerTenantAndMachine(String kind) throws Exception {
        try (DeliveryStore store = open(kind)) {
            assertNull(store.rememberedAnchor("t1", "ab"));
            store.rememberAnchor("t1", "ab", "2026-11-27T09:58:12.4431178Z", "77");
            store.rememberAnchor("t2", "ab", null, null);
            assertEquals("77", store.rememberedAnchor("t1", "ab").reportId());
            assertEquals("2026-11-27T09:58:12.4431178Z", store.rememberedAnchor("t1", "ab").eventTime(), "exactly as given");
            assertNull(store.rememberedAnchor("t2", "ab").eventTime(), "a machine Defender held no event of");
            store.rememberAnchor("t1", "ab", "2026-11-28T00:00:00Z", "78");
            assertEquals("78", store.rememberedAnchor("t1", "ab").reportId(), "a fresh anchor replaces the old");
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

    /**
     * A Sentinel batch: which events are done asked once, recorded in one transaction, a row recorded
     * before kept; each event of its account (interface.md section 4: another account's event of the
     * same id is not done).
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aBatchOfEventsIsLookedUpAndRecordedTogether(String kind) throws Exception {
        EventKey one = new EventKey("acme", "ev-1");
        EventKey two = new EventKey("acme", "ev-2");
        EventKey three = new EventKey("acme", "ev-3");
        EventKey four = new EventKey("acme", "ev-4");
        EventKey globexOne = new EventKey("globex", "ev-1");
        try (DeliveryStore store = open(kind)) {
            assertEquals(java.util.Set.of(), store.doneEvents("soc", List.of()));
            store.markDone("soc", "acme", "ev-2", "created", null);
            store.markAllDone("soc", List.of(one, two, three), "ingested");
            assertEquals(java.util.Set.of(one, two, three), store.doneEvents("soc", List.of(one, two, three, four, globexOne)));
            assertEquals(java.util.Set.of(), store.doneEvents("other", List.of(one)), "per integration");
            store.markAllDone("soc", List.of(four, globexOne), "ingested");
            assertTrue(store.isDone("soc", "acme", "ev-4"));
            assertTrue(store.isDone("soc", "globex", "ev-1"), "globex's ev-1 is its own");
        }
    }
}
