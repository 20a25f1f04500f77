package io.threatbridge.bench;

import io.threatbridge.store.QuotaWindow;
import io.threatbridge.store.QuotaLedger;

import io.threatbridge.delivery.TenantPacer;
import io.threatbridge.store.DeliveryStore;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * Scenario {@code pacing} (docs/benchmarks.md): what counting a call against a tenant's quota costs
 * (the store's {@code countCall}, then {@code recountCall} when the answer comes, as TenantPacer
 * does for every Defender call), at Defender's quota of 15 creates a minute and at 1,000,000 a
 * minute, on the bridge's default store (an H2 file, durable commits). At 15 a minute the calls go
 * to calls / 15 keys in turn (tenants), each key 15 calls, so nothing waits; at 1,000,000 one key
 * takes them all and its window fills up. CPU is this process's, where H2 runs, per call, over
 * the first and the last bench.pacing.block (2,000) of bench.pacing.calls (20,000) calls.
 *
 * <p>"before" is the ledger of the version before (one row per call in quota_call, counted per
 * window under a lock row in quota_lock; the tables are still in the schema), its statements copied
 * here, on a connection of its own to a store of its own: the cost that grew with the quota.
 * With pacing off (a limit of 0) TenantPacer asks no ledger at all: these costs are what pacing adds.
 */
final class PacingCost {

    private static final long MINUTE = 60_000;

    private final Path work;
    private final BenchResults results;
    private final int calls = Integer.getInteger("bench.pacing.calls", 20_000);
    private final int block = Integer.getInteger("bench.pacing.block", 2_000);

    PacingCost(Path work, BenchResults results) {
        this.work = work;
        this.results = results;
    }

    void run() throws Exception {
        try (DeliveryStore store = new DeliveryStore(DeliveryStore.defaultUrl(work.resolve("pacing-ring")), null, null)) {
            report("ring (now)", store);
        }
        // the version before, on its own store: the tables V3 made, the statements it ran
        String beforeUrl = DeliveryStore.defaultUrl(work.resolve("pacing-before"));
        new DeliveryStore(beforeUrl, null, null).close();
        try (Connection connection = DriverManager.getConnection(beforeUrl + ";WRITE_DELAY=0")) {
            report("rows per call (before)", new RowsPerCall(connection));
        }
    }

    private void report(String ledgerName, QuotaLedger ledger) {
        // warm-up, forgotten: the JIT compiles the statements' path in this JVM and H2's
        measure(ledger, 15, "warm-up-fifteen", block);
        measure(ledger, 1_000_000, "warm-up-million", block);
        double[] fifteen = measure(ledger, 15, "fifteen", calls);
        double[] million = measure(ledger, 1_000_000, "million", calls);
        results.add("pacing", ledgerName + ", 15/min (" + (calls + 14) / 15 + " keys in turn, 15 calls each): CPU-ms per call, first / last " + block,
                String.format("%.3f / %.3f", fifteen[0], fifteen[1]));
        results.add("pacing", String.format("%s, 1,000,000/min (one key, %,.0f calls in its window at the end): CPU-ms per call, first / last %d",
                ledgerName, million[2], block), String.format("%.3f / %.3f", million[0], million[1]));
    }

    /** CPU-ms per call over the first and the last block of calls, and how many calls the window held at the end. */
    private double[] measure(QuotaLedger ledger, int limit, String prefix, int calls) {
        List<QuotaWindow> windows = List.of(new QuotaWindow(limit, MINUTE));
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double first = 0;
        long[] made = new long[calls];
        long cpu = os.getProcessCpuTime();
        for (int i = 0; i < calls; i++) {
            if (i == block) {
                first = (os.getProcessCpuTime() - cpu) / 1e6 / block;
            }
            if (i == calls - block) {
                cpu = os.getProcessCpuTime();
            }
            // one key for the large quota; for 15 a minute calls / 15 keys, one call each in turn, so none gets a 16th
            String key = prefix + "-" + (i % ((calls + limit - 1) / limit)) + " endpoint create";
            String call = UUID.randomUUID().toString();
            if (ledger.countCall(key, call, windows) != 0) {
                throw new IllegalStateException("call " + i + " of " + key + " had to wait: the measurement needs calls that go");
            }
            ledger.recountCall(key, call);
            made[i] = System.currentTimeMillis();
        }
        double last = (os.getProcessCpuTime() - cpu) / 1e6 / block;
        long end = System.currentTimeMillis();
        long inWindow = java.util.Arrays.stream(made).filter(at -> at > end - MINUTE).count();
        return new double[]{first, last, inWindow};
    }

    /** The ledger of the version before this one (DeliveryStore.countCall until V7), on one connection. */
    private static final class RowsPerCall implements QuotaLedger {

        private final Connection connection;

        RowsPerCall(Connection connection) {
            this.connection = connection;
        }

        @Override
        public long countCall(String quotaKey, String callId, List<QuotaWindow> windows) {
            long longest = windows.stream().mapToLong(QuotaWindow::millis).max().orElse(0);
            try {
                connection.setAutoCommit(false);
                if (!lock(quotaKey)) {
                    connection.rollback();
                    connection.setAutoCommit(true);
                    update("INSERT INTO quota_lock (quota_key) VALUES (?)", quotaKey);
                    connection.setAutoCommit(false);
                    lock(quotaKey);
                }
                long now = now();
                update("DELETE FROM quota_call WHERE quota_key = ? AND counted_at <= ?", quotaKey, now - longest);
                long wait = 0;
                for (QuotaWindow window : windows) {
                    try (PreparedStatement counted = prepare("SELECT COUNT(*), MIN(counted_at) FROM quota_call WHERE quota_key = ? AND counted_at > ?",
                            quotaKey, now - window.millis()); ResultSet row = counted.executeQuery()) {
                        row.next();
                        if (row.getInt(1) >= window.limit()) {
                            wait = Math.max(wait, Math.max(1, row.getLong(2) + window.millis() - now));
                        }
                    }
                }
                if (wait == 0) {
                    update("INSERT INTO quota_call (quota_key, call_id, counted_at) VALUES (?, ?, ?)", quotaKey, callId, now);
                }
                connection.commit();
                connection.setAutoCommit(true);
                return wait;
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void recountCall(String quotaKey, String callId) {
            try {
                update("UPDATE quota_call SET counted_at = ? WHERE quota_key = ? AND call_id = ?", now(), quotaKey, callId);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        private boolean lock(String quotaKey) throws SQLException {
            try (PreparedStatement lock = prepare("SELECT quota_key FROM quota_lock WHERE quota_key = ? FOR UPDATE", quotaKey);
                 ResultSet row = lock.executeQuery()) {
                return row.next();
            }
        }

        private long now() throws SQLException {
            try (PreparedStatement now = connection.prepareStatement("SELECT CURRENT_TIMESTAMP"); ResultSet row = now.executeQuery()) {
                row.next();
                return row.getTimestamp(1).getTime();
            }
        }

        private void update(String sql, Object... values) throws SQLException {
            try (PreparedStatement statement = prepare(sql, values)) {
                statement.executeUpdate();
            }
        }

        private PreparedStatement prepare(String sql, Object... values) throws SQLException {
            PreparedStatement statement = connection.prepareStatement(sql);
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i]);
            }
            return statement;
        }
    }
}
