package io.threatbridge.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The housekeeping H2's background writer would do, for an H2 file with durable commits.
 *
 * <p>The store turns H2's write delay off (each commit in the file before it returns, see
 * {@link DeliveryStore}), and with it H2 stops its background thread. H2 writes each commit as a new
 * chunk of some kilobytes and frees a chunk only once none of its pages is live any more; a chunk
 * that keeps one live page (a leaf of a table or index no later commit touched) stays whole. Its
 * background thread moves such pages into new chunks; without it the file grows with the data many
 * times over (48 GB for 10 million rows, where PostgreSQL needs 2 GB: docs/benchmarks.md). Every
 * 200 ms this moves the live pages of the sparsest chunks, a bounded amount, as H2's own
 * housekeeping does while the database is busy; the next commits free the emptied chunks, and H2
 * reuses their space once its retention time (45 s) is over. A store nothing was committed to since
 * the last round is left alone, so an idle bridge spends nothing on it.
 *
 * <p>The 45 s stay, although with a chunk per commit they are 45 s of commits (1.8 GB of file in
 * the throughput benchmark's drain at 700 alerts/s): H2 finds its newest chunk by following the
 * chunks from the file header, which it rewrites only every few versions, and a chunk written over
 * sooner can break that chain, so that the store reopens after a kill -9 older than it was and
 * forgets a pending create (a shorter retention did that in ChaosIT: docs/benchmarks.md).
 *
 * <p>H2 has no SQL statement for this while the database is open, hence H2's own store API, reached
 * through the connection of an embedded database.
 */
final class H2Housekeeping implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(H2Housekeeping.class);
    static final Duration INTERVAL = Duration.ofMillis(200);
    /** Below this share of live data in the file's chunks, live pages are moved out of the emptiest ones. */
    private static final int TARGET_FILL_RATE = 80;

    private final DataSource dataSource;
    private final ScheduledExecutorService timer;
    // the timer's one thread alone reads and writes these
    private boolean warned;
    /** The embedded database's store, found once through a connection: a round needs no connection of the pool. */
    private MVStore store;
    /** The store's version after the last round: unchanged means nothing was committed since, and nothing is done. */
    private long lastVersion = -1;

    private H2Housekeeping(DataSource dataSource) {
        this.dataSource = dataSource;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "store-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::runOnce, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Started for an embedded H2 file whose writes are not delayed (H2's own thread does it otherwise); null for any other store. */
    static H2Housekeeping startFor(String jdbcUrl, DataSource dataSource) {
        return needed(jdbcUrl) ? new H2Housekeeping(dataSource) : null;
    }

    static boolean needed(String jdbcUrl) {
        return DeliveryStore.isH2File(jdbcUrl) && !DeliveryStore.delaysWrites(jdbcUrl);
    }

    /** One round: moves the live pages out of the sparsest chunks, a bounded amount. */
    void runOnce() {
        try {
            if (store == null || store.isClosed()) {
                try (Connection connection = dataSource.getConnection()) {
                    store = mvStore(connection);
                }
            }
            if (store == null || store.isClosed() || store.getCurrentVersion() == lastVersion) {
                return;
            }
            // at most H2's commit buffer (20 MB by default) a round, as H2 rewrites in a round of its own when idle (a
            // quarter of it, H2's figure while busy, fell behind single-row commits). The chunks this empties are freed
            // by a later commit: each commit drops the chunks no page uses any more.
            store.compact(TARGET_FILL_RATE, Math.max(store.getAutoCommitMemory(), 256 * 1024));
            lastVersion = store.getCurrentVersion();
        } catch (SQLException | RuntimeException e) {
            // the next round tries again; a store that is down is reported by its health check
            if (!warned) {
                warned = true;
                LOG.warn("store housekeeping: {}", e.getMessage());
            }
        }
    }

    /** The embedded database's store, or null when the connection is not one to an embedded H2 database. */
    private static MVStore mvStore(Connection connection) throws SQLException {
        if (!connection.isWrapperFor(JdbcConnection.class)) {
            return null;
        }
        if (!(connection.unwrap(JdbcConnection.class).getSession() instanceof SessionLocal session)) {
            return null;
        }
        return session.getDatabase().getStore().getMvStore();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
