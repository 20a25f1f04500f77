package io.threatbridge.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default store's file grows with its data, not many times over, with durable commits
 * (WRITE_DELAY=0, which stops H2's own housekeeping). The same commits into the same store without
 * {@link H2Housekeeping} use at least twice the file space (the store with it gets below half of it
 * while deliveries go on): each commit's chunk stays whole as
 * long as one of its pages is live, which is the growth this guards against (48 GB for 10 million
 * rows, docs/benchmarks.md).
 *
 * <p>H2 keeps freed chunks for its retention time (45 s by default) before it reuses their space;
 * both stores here set it to 200 ms, so the difference shows in seconds.
 */
class H2HousekeepingTest {

    private static final int COMMITS = 6_000;
    private static final String SHORT_RETENTION = ";RETENTION_TIME=200";

    /** Random event ids, as vendors send them: each insert lands in another page of the index. */
    private static final String[] IDS = IntStream.range(0, COMMITS).mapToObj(i -> UUID.randomUUID().toString()).toArray(String[]::new);

    @TempDir
    Path dir;

    @Test
    void theStoreFileGrowsWithItsDataNotWithItsCommits() throws Exception {
        long without;
        try (DeliveryStore store = new DeliveryStore(url("without"), "", "", false)) {
            finishAll(store);
            without = bytesInUse(store, "without");
        }
        try (DeliveryStore store = new DeliveryStore(url("with"), "", "", true)) {
            finishAll(store);
            // deliveries go on, one event a poll: the housekeeping works while commits come (its rounds are paced;
            // an idle store is left alone), and the space it frees is reused by the next commits
            AtomicInteger more = new AtomicInteger();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                store.markDone("soc", "acme", UUID.randomUUID().toString(), "created", "da-more-" + more.incrementAndGet());
                return bytesInUse(store, "with") * 2 < without;
            });
            assertTrue(store.isDone("soc", IDS[0]));
        }
    }

    @Test
    void onlyAnH2FileWithDurableCommitsNeedsIt() {
        assertTrue(H2Housekeeping.needed("jdbc:h2:file:/d/store;WRITE_DELAY=0"));
        assertTrue(H2Housekeeping.needed("jdbc:h2:/d/store;WRITE_DELAY=0;AUTO_SERVER=TRUE"));
        assertFalse(H2Housekeeping.needed("jdbc:h2:file:/d/store;write_delay=500"), "H2's own background thread keeps it");
        assertFalse(H2Housekeeping.needed("jdbc:h2:mem:x;WRITE_DELAY=0"));
        assertFalse(H2Housekeeping.needed("jdbc:postgresql://db/x"));
    }

    /** One finished event per commit, as deliveries do. */
    private static void finishAll(DeliveryStore store) {
        for (int i = 0; i < COMMITS; i++) {
            store.markDone("soc", "acme", IDS[i], "created", "da-" + i);
        }
        assertTrue(store.isDone("soc", IDS[COMMITS - 1]));
    }

    private String url(String name) {
        return "jdbc:h2:file:" + dir.resolve(name) + SHORT_RETENTION;
    }

    /** The file's space in use (before the close, which compacts): H2 reuses the freed rest before the file grows again. */
    private long bytesInUse(DeliveryStore store, String name) throws IOException, SQLException {
        return Files.size(dir.resolve(name + ".mv.db")) * StoreFiles.fillRate(store) / 100;
    }
}
