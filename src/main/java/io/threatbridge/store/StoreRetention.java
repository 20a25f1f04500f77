package io.threatbridge.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the store bounded (bridge.store.retention): deletes, in the background, finished events,
 * resolved alerts and creates that never got an answer older than the retention, anchors older than
 * their reuse, and the quota rows of quotas that made no call for longer than their longest window.
 * Open alerts stay until resolved.
 *
 * <p>Each statement deletes at most {@link #BATCH} rows in a transaction of its own, picked through
 * the index of its age column, so it is short and touches only expired rows; the next waits as long
 * as that one took, so deliveries have the store at least half of the time. On PostgreSQL it takes
 * the rows by {@code ctid} with {@code FOR UPDATE SKIP LOCKED}: a row another instance's deletion
 * (or a delivery) holds is skipped, not waited for, so instances deleting at the same time neither
 * wait on each other nor deadlock. On H2 (one process) a plain {@code DELETE ... LIMIT}: a second
 * deletion waits for the first's batch and finds its rows gone. No instance coordinates with another.
 */
public class StoreRetention {

    private static final Logger LOG = LoggerFactory.getLogger(StoreRetention.class);
    static final int BATCH = 1_000;

    /**
     * How long each kind of row is kept.
     *
     * @param finished finished events and resolved alerts (bridge.store.retention)
     * @param anchors  device anchors, counted from when hunting found them (their longest reuse)
     * @param quota    quota rows, counted from the quota's last call (its longest window)
     */
    public record Ages(Duration finished, Duration anchors, Duration quota) {
    }

    /** Rows deleted by one run, per kind. */
    public record Deleted(int events, int alerts, int unansweredCreates, int anchors, int quotaRows) {

        public int total() {
            return events + alerts + unansweredCreates + anchors + quotaRows;
        }
    }

    private final DataSource dataSource;
    private final Ages ages;
    private final Duration interval;
    private final boolean postgres;
    private volatile boolean running = true;
    private ScheduledExecutorService timer;

    public StoreRetention(DeliveryStore store, Ages ages, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("bridge.store.retention-interval-ms must be positive: " + interval.toMillis());
        }
        this.dataSource = store.dataSource();
        this.ages = ages;
        this.interval = interval;
        try (Connection connection = dataSource.getConnection()) {
            postgres = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
        } catch (SQLException e) {
            throw DeliveryStore.failure(e);
        }
    }

    /** bridge.store.retention: an ISO-8601 duration (P30D, PT36H) or a whole number of days. */
    public static Duration parse(String setting) {
        String value = setting.trim();
        try {
            Duration retention = value.chars().allMatch(Character::isDigit) && !value.isEmpty()
                    ? Duration.ofDays(Long.parseLong(value)) : Duration.parse(value);
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("bridge.store.retention must be positive: " + setting);
            }
            return retention;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException("bridge.store.retention: not an ISO-8601 duration (P30D) or a number of days: " + setting);
        }
    }

    /** Runs in the background from now on, every interval. */
    public void start() {
        running = true;
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "store-retention");
            thread.setDaemon(true);
            return thread;
        });
        // the first run soon after the start, not at once: the start has other work
        long first = Math.min(interval.toMillis(), 60_000);
        timer.scheduleWithFixedDelay(this::runLogged, first, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** No further run; waits a little for one under way. */
    public void stop() throws InterruptedException {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void runLogged() {
        try {
            long start = System.nanoTime();
            Deleted deleted = run(Instant.now());
            if (deleted.total() > 0) {
                LOG.info("store retention: deleted {} finished events, {} resolved alerts and {} unanswered creates older than {}, {} anchors, {} quota rows in {} ms",
                        deleted.events, deleted.alerts, deleted.unansweredCreates, describe(ages.finished), deleted.anchors, deleted.quotaRows,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        } catch (RuntimeException e) {
            // the next run tries again; a store that is down is reported by its health check
            LOG.warn("store retention: stopped this run: {}", e.getMessage());
        }
    }

    /** A retention as people say it: "30 days", or the ISO-8601 duration when it is not whole days. */
    static String describe(Duration retention) {
        return retention.toSeconds() % 86_400 == 0 ? retention.toDays() + " days" : retention.toString();
    }

    /** One run: every expired row, batch by batch, as of {@code now} (events, alerts, anchors: this JVM's clock, which wrote them). */
    public Deleted run(Instant now) {
        Timestamp finished = Timestamp.from(now.minus(ages.finished));
        int events = deleteAll("delivered_event", "delivered_at < ?", finished);
        int alerts = deleteAll("threat_alert", "status = 'Resolved' AND updated_at < ?", finished);
        // a create whose answer never came (a crash, a time-out, then the dead-letter queue): a later event of the
        // threat looks for the alert it may have made; past the retention that look is no longer worth it
        int unanswered = deleteAll("pending_create", "started_at < ?", finished);
        int anchors = deleteAll("device_anchor", "found_at < ?", Timestamp.from(now.minus(ages.anchors)));
        return new Deleted(events, alerts, unanswered, anchors, deleteIdleQuotas());
    }

    /**
     * The ring and counter of each quota that made no call for longer than its longest window (a
     * tenant gone, or quiet), and the rows of the quota table older versions kept. Quota rows are
     * timed by the database's clock. A quota that calls again meanwhile keeps its rows: each delete
     * checks the age again on the row it deletes.
     */
    private int deleteIdleQuotas() {
        long cutoff = databaseMillis() - ages.quota.toMillis();
        int deleted = deleteAll("quota_call", "counted_at < ?", cutoff);
        String after = "";
        while (running) {
            List<String> idle = new ArrayList<>();
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement select = connection.prepareStatement(
                         "SELECT quota_key FROM quota_counter WHERE last_at < ? AND quota_key > ? ORDER BY quota_key LIMIT " + BATCH)) {
                select.setLong(1, cutoff);
                select.setString(2, after);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        idle.add(rows.getString(1));
                    }
                }
            } catch (SQLException e) {
                throw DeliveryStore.failure(e);
            }
            for (String key : idle) {
                // the slots first: a quota whose counter is gone starts again from a ring it may still find, all of whose
                // slots are older than any window
                deleted += deleteAll("quota_slot", "quota_key = ? AND called_at < ?", key, cutoff);
                deleted += deleteAll("quota_counter", "quota_key = ? AND last_at < ?", key, cutoff);
            }
            if (idle.size() < BATCH) {
                break;
            }
            after = idle.get(idle.size() - 1);
        }
        return deleted;
    }

    /** Deletes the table's rows that match, {@link #BATCH} per statement and transaction, until none is left. */
    private int deleteAll(String table, String condition, Object... values) {
        String sql = postgres
                ? "DELETE FROM " + table + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + table + " WHERE " + condition
                        + " LIMIT " + BATCH + " FOR UPDATE SKIP LOCKED))"
                : "DELETE FROM " + table + " WHERE " + condition + " LIMIT " + BATCH;
        int deleted = 0;
        while (running) {
            int batch;
            long start = System.nanoTime();
            try (Connection connection = dataSource.getConnection(); PreparedStatement delete = connection.prepareStatement(sql)) {
                for (int i = 0; i < values.length; i++) {
                    delete.setObject(i + 1, values[i]);
                }
                batch = delete.executeUpdate();
            } catch (SQLException e) {
                throw DeliveryStore.failure(e);
            }
            deleted += batch;
            if (batch < BATCH) {
                break;
            }
            // as long again before the next batch: the deliveries' commits have the store at least half of the time
            // (H2 writes one commit at a time), and a backlog of expired rows is worked off without crowding them out
            try {
                TimeUnit.NANOSECONDS.sleep(System.nanoTime() - start);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return deleted;
    }

    private long databaseMillis() {
        try (Connection connection = dataSource.getConnection(); PreparedStatement now = connection.prepareStatement("SELECT CURRENT_TIMESTAMP");
             ResultSet row = now.executeQuery()) {
            row.next();
            return row.getTimestamp(1).getTime();
        } catch (SQLException e) {
            throw DeliveryStore.failure(e);
        }
    }
}
