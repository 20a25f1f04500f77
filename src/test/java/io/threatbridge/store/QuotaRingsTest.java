package io.threatbridge.store;

import io.threatbridge.delivery.TenantPacer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quota ledger's ring (QuotaRings) counts as Microsoft does, no more than the limit in any
 * sliding window, with two instances on one store and at a limit of a million.
 */
class QuotaRingsTest {

    /** The store's clock and this JVM's are the same machine's, each read to the millisecond. */
    private static final long CLOCK_GRANULARITY_MS = 2;

    @TempDir
    Path dir;

    /**
     * Two instances (two stores on one database), three delivery threads each, all calling for one
     * quota of 10 per 400 ms as TenantPacer does: ask the ledger, wait what it says, make the call,
     * count it from its answer. The moment each call is made is taken as Microsoft would see it
     * (after the ledger let it go, before its answer is counted); in any 400 ms there are never more
     * than 10, and the run uses the quota rather than crawling.
     */
    @ParameterizedTest
    @ValueSource(strings = {"postgres", "h2"})
    void twoInstancesNeverLetMoreThanTheLimitIntoAnyWindow(String kind) throws Exception {
        int limit = 10;
        long window = 400;
        int calls = 8 * limit;
        List<QuotaWindow> windows = List.of(new QuotaWindow(limit, window));
        Map<String, String> settings = TestStores.settings(kind, dir);
        try (DeliveryStore one = TestStores.open(settings); DeliveryStore other = TestStores.open(settings)) {
            List<Long> made = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger started = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(6);
            try {
                List<Future<Integer>> perThread = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    DeliveryStore store = t % 2 == 0 ? one : other;
                    perThread.add(threads.submit(() -> {
                        int mine = 0;
                        while (started.getAndIncrement() < calls) {
                            String call = UUID.randomUUID().toString();
                            long wait;
                            while ((wait = store.countCall("tenant-r endpoint create", call, windows)) > 0) {
                                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wait));
                            }
                            made.add(System.currentTimeMillis());
                            store.recountCall("tenant-r endpoint create", call);
                            mine++;
                        }
                        return mine;
                    }));
                }
                for (Future<Integer> thread : perThread) {
                    assertTrue(thread.get(60, TimeUnit.SECONDS) > 0, "every thread made calls");
                }
            } finally {
                threads.shutdownNow();
            }
            List<Long> times = new ArrayList<>(made);
            Collections.sort(times);
            assertEquals(calls, times.size());
            int over = 0;
            for (int i = limit; i < times.size(); i++) {
                if (times.get(i) - times.get(i - limit) < window - CLOCK_GRANULARITY_MS) {
                    over++;
                }
            }
            long took = times.get(times.size() - 1) - times.get(0);
            System.out.printf("quota ring (%s): %d calls at %d per %d ms by two instances took %d ms, %d over the limit%n",
                    kind, calls, limit, window, took, over);
            assertEquals(0, over, "more than " + limit + " calls in a window of " + window + " ms: " + times);
            assertTrue(took >= (calls / limit - 1) * window - CLOCK_GRANULARITY_MS, "no faster than the quota: " + took + " ms");
            assertTrue(took < 3 * (calls / limit) * window, "and not much slower: " + took + " ms");
        }
    }

    /**
     * A quota of a million a minute: every call goes, and the ring holds one row per call made, not
     * per call allowed. At a large limit the count is still exact: with 1,000 a minute, the 1,001st
     * call waits for the first to leave the window.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aLargeLimitCostsRowsOnlyForTheCallsMadeAndStaysExact(String kind) throws Exception {
        try (DeliveryStore store = TestStores.open(TestStores.settings(kind, dir))) {
            List<QuotaWindow> million = List.of(new QuotaWindow(1_000_000, 60_000));
            for (int i = 0; i < 1_000; i++) {
                assertEquals(0, store.countCall("tenant-m endpoint create", "m-" + i, million), "call " + i);
            }
            assertEquals(1_000, StoreRows.count(store, "SELECT COUNT(*) FROM quota_slot WHERE quota_key = 'tenant-m endpoint create'"));

            List<QuotaWindow> large = List.of(new QuotaWindow(1_000, 60_000));
            for (int i = 0; i < 1_000; i++) {
                assertEquals(0, store.countCall("tenant-l endpoint create", "l-" + i, large), "call " + i);
            }
            long wait = store.countCall("tenant-l endpoint create", "l-over", large);
            assertTrue(wait > 50_000 && wait <= 60_000, "the 1,001st waits for the first to leave the window: " + wait);
            assertEquals(1_000, StoreRows.count(store, "SELECT COUNT(*) FROM quota_slot WHERE quota_key = 'tenant-l endpoint create'"),
                    "one slot per call of the window, the refused call none");
        }
    }
}
