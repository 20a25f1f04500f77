package io.threatbridge.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the retention deletes and keeps, on H2 and on PostgreSQL. Rows are made by the store's own
 * methods, then made older by setting their time column (as if written that long ago).
 */
class StoreRetentionTest {

    private static final Duration RETENTION = Duration.ofDays(30);
    private static final StoreRetention.Ages AGES = new StoreRetention.Ages(RETENTION, Duration.ofHours(24), Duration.ofHours(1));

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void expiredRowsGoFreshAndOpenOnesStay(String kind) throws Exception {
        try (DeliveryStore store = TestStores.open(TestStores.settings(kind, dir))) {
            // a threat alerted and resolved 40 days ago, its two events finished then
            store.recordCreated("soc", "acme", "thr-old", "da-old", "ev-old-1", "endpoint");
            store.markDone("soc", "acme", "ev-old-1", "created", "da-old");
            store.markResolved("soc", "acme", "thr-old");
            store.markDone("soc", "acme", "ev-old-2", "resolved", "da-old");
            // a threat alerted 40 days ago and never resolved: its alert stays for a resolve to find
            store.recordCreated("soc", "acme", "thr-open", "da-open", "ev-open", "endpoint");
            store.markDone("soc", "acme", "ev-open", "created", "da-open");
            // resolved a day ago: kept, counted from the resolve
            store.recordCreated("soc", "acme", "thr-recent", "da-recent", "ev-recent-1", "endpoint");
            store.markResolved("soc", "acme", "thr-recent");
            // finished now, and 29 days ago
            store.markDone("soc", "acme", "ev-fresh", "created", "da-fresh");
            store.markAllDone("sentinel", List.of(new EventKey("acme", "ev-29")), "ingested");
            // creates whose answer never came: one started 40 days ago, one an hour ago
            store.beginCreate("soc", "acme", "thr-unanswered-old", "ev-unanswered-old", "endpoint");
            store.beginCreate("soc", "acme", "thr-unanswered-new", "ev-unanswered-new", "graph");
            store.rememberAnchor("tenant-a", "a".repeat(40), "2026-11-01T00:00:00Z", "7");
            store.rememberAnchor("tenant-a", "b".repeat(40), "2026-11-01T00:00:00Z", "8");

            Instant now = Instant.now();
            age(store, "UPDATE delivered_event SET delivered_at = ? WHERE event_id IN ('ev-old-1', 'ev-old-2', 'ev-open')", now.minus(Duration.ofDays(40)));
            age(store, "UPDATE threat_alert SET updated_at = ? WHERE threat_id IN ('thr-old', 'thr-open')", now.minus(Duration.ofDays(40)));
            age(store, "UPDATE threat_alert SET updated_at = ? WHERE threat_id = 'thr-recent'", now.minus(Duration.ofDays(1)));
            age(store, "UPDATE delivered_event SET delivered_at = ? WHERE event_id = 'ev-29'", now.minus(Duration.ofDays(29)));
            age(store, "UPDATE device_anchor SET found_at = ? WHERE machine_id = ?", now.minus(Duration.ofHours(25)), "a".repeat(40));
            age(store, "UPDATE pending_create SET started_at = ? WHERE threat_id = 'thr-unanswered-old'", now.minus(Duration.ofDays(40)));
            age(store, "UPDATE pending_create SET started_at = ? WHERE threat_id = 'thr-unanswered-new'", now.minus(Duration.ofHours(1)));

            StoreRetention retention = new StoreRetention(store, AGES, Duration.ofMinutes(10));
            StoreRetention.Deleted deleted = retention.run(Instant.now());
            assertEquals(new StoreRetention.Deleted(3, 1, 1, 1, 0), deleted, "three events, one resolved alert, one unanswered create, one anchor");

            assertFalse(store.isDone("soc", "ev-old-1"));
            assertFalse(store.isDone("soc", "ev-old-2"));
            assertFalse(store.isDone("soc", "ev-open"), "a finished event goes even when its threat's alert stays");
            assertNull(store.alertId("soc", "thr-old"), "resolved 40 days ago");
            assertEquals("da-open", store.alertId("soc", "thr-open"), "open alerts stay until resolved, however old");
            assertEquals("da-recent", store.alertId("soc", "thr-recent"), "resolved a day ago");
            assertTrue(store.isDone("soc", "ev-fresh"));
            assertTrue(store.isDone("sentinel", "acme", "ev-29"));
            assertNull(store.rememberedAnchor("tenant-a", "a".repeat(40)), "found 25 hours ago: past its reuse");
            assertNotNull(store.rememberedAnchor("tenant-a", "b".repeat(40)));
            assertNull(store.lookUp("soc", "acme", "ev-x", "thr-unanswered-old").pending(), "started 40 days ago");
            assertNotNull(store.lookUp("soc", "acme", "ev-y", "thr-unanswered-new").pending(), "started an hour ago: still looked for");

            // a second copy of a kept event is still one the integration finished with: no call
            assertTrue(store.lookUp("soc", "acme", "ev-fresh", "thr-fresh").done());
            store.markDone("soc", "acme", "ev-fresh", "created", "da-fresh");
            // and an ACTIVE copy of the open threat's old event finds its alert: no second create
            assertEquals("da-open", store.lookUp("soc", "acme", "ev-open", "thr-open").alertId());

            assertEquals(new StoreRetention.Deleted(0, 0, 0, 0, 0), retention.run(Instant.now()), "nothing left to delete");
        }
    }

    /**
     * Quota rows of a quota that made no call for longer than its longest window go (a tenant gone);
     * a quota in use keeps its ring, and one whose rows went counts again from an empty ring.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void idleQuotasLoseTheirRowsBusyOnesKeepThem(String kind) throws Exception {
        List<QuotaWindow> windows = List.of(new QuotaWindow(3, 60_000), new QuotaWindow(5, 3_600_000));
        try (DeliveryStore store = TestStores.open(TestStores.settings(kind, dir))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(0, store.countCall("gone", "gone-" + i, windows));
                assertEquals(0, store.countCall("busy", "busy-" + i, windows));
            }
            long twoHoursAgo = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
            age(store, "UPDATE quota_slot SET called_at = ? WHERE quota_key = 'gone'", twoHoursAgo);
            age(store, "UPDATE quota_counter SET last_at = ? WHERE quota_key = 'gone'", twoHoursAgo);
            // a row of the quota table of the version before, left by an instance not yet upgraded
            age(store, "INSERT INTO quota_call (quota_key, call_id, counted_at) VALUES ('old', 'old-1', ?)", twoHoursAgo);

            StoreRetention.Deleted deleted = new StoreRetention(store, AGES, Duration.ofMinutes(10)).run(Instant.now());
            assertEquals(1 + 6 + 1, deleted.quotaRows(), "the old version's row, 'gone''s six slots (two windows), its counter");
            assertEquals(0, count(store, "SELECT COUNT(*) FROM quota_slot WHERE quota_key = 'gone'"));
            assertEquals(6, count(store, "SELECT COUNT(*) FROM quota_slot WHERE quota_key = 'busy'"));
            assertTrue(store.countCall("busy", "busy-3", windows) > 50_000, "the busy quota still counts its three calls this minute");
            assertEquals(0, store.countCall("gone", "gone-3", windows), "the idle quota starts again");
        }
    }

    /**
     * Two instances deleting the same expired rows at the same moment, while a third thread goes on
     * delivering: no run fails or deadlocks, each row is deleted once, the deliveries all finish.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void twoInstancesDeleteAtOnceWithoutFailingOrDeadlocking(String kind) throws Exception {
        Map<String, String> settings = TestStores.settings(kind, dir);
        int expired = 12 * StoreRetention.BATCH + 345;
        try (DeliveryStore one = TestStores.open(settings); DeliveryStore other = TestStores.open(settings)) {
            List<EventKey> events = new ArrayList<>();
            for (int i = 0; i < expired; i++) {
                events.add(new EventKey("acme", "ev-" + i));
            }
            one.markAllDone("soc", events, "created");
            age(one, "UPDATE delivered_event SET delivered_at = ?", Instant.now().minus(Duration.ofDays(31)));

            StoreRetention first = new StoreRetention(one, AGES, Duration.ofMinutes(10));
            StoreRetention second = new StoreRetention(other, AGES, Duration.ofMinutes(10));
            CyclicBarrier together = new CyclicBarrier(3);
            ExecutorService threads = Executors.newFixedThreadPool(3);
            try {
                Future<StoreRetention.Deleted> a = threads.submit(() -> {
                    together.await();
                    return first.run(Instant.now());
                });
                Future<StoreRetention.Deleted> b = threads.submit(() -> {
                    together.await();
                    return second.run(Instant.now());
                });
                Future<Integer> deliveries = threads.submit(() -> {
                    together.await();
                    int done = 0;
                    for (int i = 0; i < 200; i++) {
                        one.markDone("soc", "acme", "new-" + i, "created", "da-" + i);
                        done += one.lookUp("soc", "acme", "new-" + i, "thr-" + i).done() ? 1 : 0;
                    }
                    return done;
                });
                int deleted = a.get(60, TimeUnit.SECONDS).events() + b.get(60, TimeUnit.SECONDS).events();
                assertEquals(expired, deleted, "every expired row deleted, none twice");
                assertEquals(200, deliveries.get(60, TimeUnit.SECONDS));
                assertEquals(200, count(one, "SELECT COUNT(*) FROM delivered_event"), "only the fresh deliveries are left");
            } finally {
                threads.shutdownNow();
            }
        }
    }

    /**
     * On PostgreSQL a row another transaction holds (a delivery updating it, another instance
     * deleting it) is skipped, not waited for: the run ends at once and takes the rest.
     */
    @Test
    void onPostgresARowSomeoneHoldsIsSkippedNotWaitedFor() throws Exception {
        try (DeliveryStore store = TestStores.open(TestStores.settings("postgres", dir))) {
            for (int i = 0; i < 5; i++) {
                store.recordCreated("soc", "acme", "thr-" + i, "da-" + i, "ev-" + i, "endpoint");
                store.markResolved("soc", "acme", "thr-" + i);
            }
            age(store, "UPDATE threat_alert SET updated_at = ?", Instant.now().minus(Duration.ofDays(40)));
            try (Connection holder = store.dataSource().getConnection()) {
                holder.setAutoCommit(false);
                try (PreparedStatement hold = holder.prepareStatement("SELECT 1 FROM threat_alert WHERE threat_id = 'thr-2' FOR UPDATE")) {
                    hold.executeQuery().close();
                }
                StoreRetention retention = new StoreRetention(store, AGES, Duration.ofMinutes(10));
                StoreRetention.Deleted deleted = CompletableFuture.supplyAsync(() -> retention.run(Instant.now()))
                        .get(10, TimeUnit.SECONDS);
                assertEquals(4, deleted.alerts(), "all but the held one");
                holder.rollback();
            }
            assertEquals("da-2", store.alertId("soc", "thr-2"));
            assertEquals(1, new StoreRetention(store, AGES, Duration.ofMinutes(10)).run(Instant.now()).alerts(), "taken by the next run");
        }
    }

    @Test
    void theRetentionIsAnIsoDurationOrDays() {
        assertEquals("30 days", StoreRetention.describe(Duration.ofDays(30)));
        assertEquals("PT36H", StoreRetention.describe(Duration.ofHours(36)));
        assertEquals(Duration.ofDays(30), StoreRetention.parse("P30D"));
        assertEquals(Duration.ofDays(45), StoreRetention.parse("45"));
        assertEquals(Duration.ofHours(36), StoreRetention.parse(" PT36H "));
        assertThrows(IllegalArgumentException.class, () -> StoreRetention.parse("0"));
        assertThrows(IllegalArgumentException.class, () -> StoreRetention.parse("-P1D"));
        assertThrows(IllegalArgumentException.class, () -> StoreRetention.parse("30 days"));
        assertThrows(IllegalArgumentException.class, () -> StoreRetention.parse(""));
    }

    private static void age(DeliveryStore store, String sql, Object... values) throws SQLException {
        StoreRows.update(store, sql, values);
    }

    private static long count(DeliveryStore store, String sql) throws SQLException {
        return StoreRows.count(store, sql);
    }
}
