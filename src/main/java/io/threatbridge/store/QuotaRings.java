package io.threatbridge.store;


import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The tenants' quota windows in the store (tables quota_counter and quota_slot, migration V7), at
 * the same cost per call whatever the limit: a handful of statements by primary key, and at most
 * {@code limit} rows per quota and window.
 *
 * <p>Each quota has a counter: how many calls it allowed so far, and the time of the last. Each
 * window (its length and limit) of the quota has a ring of {@code limit} slots; call number n takes
 * slot n mod limit, which held call n - limit. The call may go when that slot is empty or its time
 * is at least a window ago; otherwise it may go when that time is a window ago. So no window ever
 * holds more than {@code limit} calls: two calls {@code limit} or more apart in the numbering are
 * at least a window apart, because the later one waited for the earlier one's slot (or for a later
 * call's, whose time is no earlier: times are taken under the counter's lock and never go back).
 *
 * <p>A slot's time is when the call was allowed, until {@link #recount} moves it to when the answer
 * came: Microsoft saw the call somewhere in between, so counting from the answer can never let the
 * next window start early by Microsoft's count. Every time is the database's clock (epoch ms), the
 * one clock every instance on the store reads; the counter's lock (SELECT ... FOR UPDATE) makes two
 * instances take turns, so the count is exact for the tenant as a whole.
 *
 * <p>A changed limit or window length is a new ring (slots are keyed by both): it starts empty, so
 * for one window after such a change the tenant may be sent its old count plus its new limit.
 */
final class QuotaRings implements QuotaLedger {

    private final DataSource dataSource;

    QuotaRings(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private record Counter(long calls, long now) {
    }

    @Override
    public long countCall(String quotaKey, String callId, List<QuotaWindow> windows) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Counter counter;
                while ((counter = lock(connection, quotaKey)) == null) {
                    connection.rollback();
                    // made outside the transaction: on PostgreSQL a failed insert would abort it. Made
                    // again should the retention delete an idle quota's counter in between
                    createCounter(quotaKey);
                }
                long call = counter.calls;
                long now = counter.now;
                long wait = 0;
                boolean[] taken = new boolean[windows.size()];
                for (int i = 0; i < windows.size(); i++) {
                    QuotaWindow window = windows.get(i);
                    try (PreparedStatement slot = prepare(connection, "SELECT called_at FROM quota_slot"
                                    + " WHERE quota_key = ? AND window_ms = ? AND ring_size = ? AND slot = ?",
                            quotaKey, window.millis(), window.limit(), slot(call, window)); ResultSet row = slot.executeQuery()) {
                        if (row.next()) {
                            taken[i] = true;
                            long free = row.getLong(1) + window.millis();
                            if (free > now) {
                                wait = Math.max(wait, free - now);
                            }
                        }
                    }
                }
                if (wait == 0) {
                    for (int i = 0; i < windows.size(); i++) {
                        take(connection, quotaKey, windows.get(i), slot(call, windows.get(i)), taken[i], callId, now);
                    }
                    try (PreparedStatement counted = prepare(connection, "UPDATE quota_counter SET calls = ?, last_at = ? WHERE quota_key = ?",
                            call + 1, now, quotaKey)) {
                        counted.executeUpdate();
                    }
                }
                connection.commit();
                return wait;
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw DeliveryStore.failure(e);
        }
    }

    @Override
    public void recountCall(String quotaKey, String callId) {
        // GREATEST: a slot's time never goes back (the counter's time may run ahead of a transaction's clock)
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection,
                     "UPDATE quota_slot SET called_at = GREATEST(called_at, ?) WHERE quota_key = ? AND call_id = ?",
                     databaseMillis(connection), quotaKey, callId)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw DeliveryStore.failure(e);
        }
    }

    private static int slot(long call, QuotaWindow window) {
        return (int) (call % window.limit());
    }

    /**
     * Locks the quota's counter and reads it with the time this call counts from: the database's
     * clock, or the last call's time if that is later. PostgreSQL's and H2's CURRENT_TIMESTAMP is
     * when the transaction began, which may be before a call that locked the counter first; taking
     * the later keeps the times in the order of the calls, which the ring's exactness needs.
     *
     * @return null when the quota has no counter yet
     */
    private static Counter lock(Connection connection, String quotaKey) throws SQLException {
        try (PreparedStatement lock = prepare(connection, "SELECT calls, last_at, CURRENT_TIMESTAMP FROM quota_counter WHERE quota_key = ? FOR UPDATE",
                quotaKey); ResultSet row = lock.executeQuery()) {
            if (!row.next()) {
                return null;
            }
            return new Counter(row.getLong(1), Math.max(row.getLong(2), row.getTimestamp(3).getTime()));
        }
    }

    private void createCounter(String quotaKey) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = prepare(connection, "INSERT INTO quota_counter (quota_key, calls, last_at) VALUES (?, 0, 0)", quotaKey)) {
            insert.executeUpdate();
        } catch (SQLException e) {
            if (!DeliveryStore.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /** Puts the call in its slot; under the counter's lock no other call writes this slot. */
    private static void take(Connection connection, String quotaKey, QuotaWindow window, int slot, boolean taken,
                             String callId, long now) throws SQLException {
        if (taken) {
            try (PreparedStatement update = prepare(connection, "UPDATE quota_slot SET call_id = ?, called_at = ?"
                    + " WHERE quota_key = ? AND window_ms = ? AND ring_size = ? AND slot = ?", callId, now, quotaKey, window.millis(), window.limit(), slot)) {
                // 0 rows: the retention deleted the slot meanwhile (it was older than the window)
                if (update.executeUpdate() == 1) {
                    return;
                }
            }
        }
        try (PreparedStatement insert = prepare(connection, "INSERT INTO quota_slot (quota_key, window_ms, ring_size, slot, call_id, called_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)", quotaKey, window.millis(), window.limit(), slot, callId, now)) {
            insert.executeUpdate();
        }
    }

    private static long databaseMillis(Connection connection) throws SQLException {
        try (PreparedStatement now = connection.prepareStatement("SELECT CURRENT_TIMESTAMP"); ResultSet row = now.executeQuery()) {
            row.next();
            return row.getTimestamp(1).getTime();
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
        return statement;
    }
}
