package io.threatbridge.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default store's file grows with its data, not many times over, with durable commits
 * (WRITE_DELAY=0, which stops H2's own housekeeping). The same commits into the same store without
 * {@link H2Housekeeping} use at least twice the file space: each commit's chunk stays whole as
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
        long without = finishAll(dir.resolve("without"), false);
        long with = finishAll(dir.resolve("with"), true);
        assertTrue(with * 2 < without, "in use with housekeeping " + (with >> 10) + " KiB, without " + (without >> 10) + " KiB");
    }

    @Test
    void onlyAnH2FileWithDurableCommitsNeedsIt() {
        assertTrue(H2Housekeeping.needed("jdbc:h2:file:/d/store;WRITE_DELAY=0"));
        assertTrue(H2Housekeeping.needed("jdbc:h2:/d/store;WRITE_DELAY=0;AUTO_SERVER=TRUE"));
        assertFalse(H2Housekeeping.needed("jdbc:h2:file:/d/store;write_delay=500"), "H2's own background thread keeps it");
        assertFalse(H2Housekeeping.needed("jdbc:h2:mem:x;WRITE_DELAY=0"));
        assertFalse(H2Housekeeping.needed("jdbc:postgresql://db/x"));
    }

    /** One finished event per commit, as deliveries do; the file's bytes in use before the close (which compacts). */
    private static long finishAll(Path file, boolean housekeeping) {
        try (DeliveryStore store = new DeliveryStore("jdbc:h2:file:" + file + SHORT_RETENTION, "", "", housekeeping)) {
            for (int i = 0; i < COMMITS; i++) {
                store.markDone("soc", "acme", IDS[i], "created", "da-" + i);
            }
            assertTrue(store.isDone("soc", IDS[0]));
            assertTrue(store.isDone("soc", IDS[COMMITS - 1]));
            // the file's space in use: H2 reuses the freed rest before the file grows again
            return Files.size(file.resolveSibling(file.getFileName() + ".mv.db")) * StoreFiles.fillRate(store) / 100;
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
