package io.threatbridge.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.threatbridge.defender.TenantPacer;
import org.apache.camel.ExchangeProperty;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * The bridge's memory over JDBC (H2 by default, PostgreSQL for several instances): which events each
 * integration has finished with, the Defender alert of each threat, and the calls counted against
 * each tenant's quota. Flyway owns the schema (src/main/resources/db/migration).
 */
public class DeliveryStore implements TenantPacer.Ledger, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStore.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final HikariDataSource dataSource;

    public DeliveryStore(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("threat-bridge-store");
        config.setMaximumPoolSize(10);
        // a store that is down must not hold a delivery thread for long: the event stays on its queue
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(30_000);
        dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    /** What keeps the bridge from its store right now, or null when it answers. */
    public String problem() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(3) ? null : "state store does not answer";
        } catch (SQLException e) {
            return "state store: " + e.getMessage();
        }
    }

    /** Whether the event is done, its threat's alert and pending create: one statement for what the first steps of a delivery need. */
    public DeliveryState lookUp(String integration, String eventId, String threatId) {
        return selectOne("SELECT d.event_id, a.alert_id, p.event_id, p.started_at FROM (VALUES (1)) AS one (x)"
                        + " LEFT JOIN delivered_event d ON d.integration = ? AND d.event_id = ?"
                        + " LEFT JOIN threat_alert a ON a.integration = ? AND a.threat_id = ?"
                        + " LEFT JOIN pending_create p ON p.integration = ? AND p.threat_id = ?",
                row -> new DeliveryState(row.getString(1) != null, row.getString(2),
                        row.getString(3) == null ? null : new PendingCreate(row.getString(3), row.getTimestamp(4).toInstant())),
                integration, eventId, integration, threatId, integration, threatId);
    }

    public boolean isDone(String integration, String eventId) {
        return exists("SELECT 1 FROM delivered_event WHERE integration = ? AND event_id = ?", integration, eventId);
    }

    public void markDone(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("eventId") String eventId,
                         @ExchangeProperty("outcome") String outcome, @ExchangeProperty("alertId") String alertId) {
        insertOnce("INSERT INTO delivered_event (integration, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, ?, ?)",
                integration, eventId, outcome, alertId, Timestamp.from(Instant.now()));
    }

    /** Which of these events the integration has finished with: one statement for a whole batch. */
    public Set<String> doneEvents(String integration, Collection<String> eventIds) {
        Set<String> done = new HashSet<>();
        if (eventIds.isEmpty()) {
            return done;
        }
        String sql = "SELECT event_id FROM delivered_event WHERE integration = ? AND event_id IN ("
                + String.join(", ", Collections.nCopies(eventIds.size(), "?")) + ")";
        Object[] values = new Object[eventIds.size() + 1];
        values[0] = integration;
        int i = 1;
        for (String id : eventIds) {
            values[i++] = id;
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                done.add(rows.getString(1));
            }
            return done;
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
    }

    /**
     * Records a batch of events as finished, in one transaction; an event that is recorded already
     * (a second copy delivered meanwhile) stays as it was.
     */
    public void markAllDone(String integration, Collection<String> eventIds, String outcome) {
        if (eventIds.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        String sql = "INSERT INTO delivered_event (integration, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, NULL, ?)";
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (String id : eventIds) {
                    insert.setString(1, integration);
                    insert.setString(2, id);
                    insert.setString(3, outcome);
                    insert.setTimestamp(4, now);
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
                return;
            } catch (SQLException e) {
                connection.rollback();
                if (!isUniqueViolation(e)) {
                    throw e;
                }
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
        // one of them was there already: each alone (a failed statement ends a PostgreSQL transaction)
        for (String id : eventIds) {
            insertOnce("INSERT INTO delivered_event (integration, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, NULL, ?)",
                    integration, id, outcome, now);
        }
    }

    private static boolean isUniqueViolation(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            if (UNIQUE_VIOLATION.equals(next.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** The alert of a threat in an integration, or null when none was created yet. */
    public String alertId(String integration, String threatId) {
        return selectOne("SELECT alert_id FROM threat_alert WHERE integration = ? AND threat_id = ?",
                row -> row.getString(1), integration, threatId);
    }

    public void saveAlert(String integration, String threatId, String alertId, String eventId) {
        if (!insertOnce("INSERT INTO threat_alert (integration, threat_id, alert_id, status, created_by_event, updated_at) VALUES (?, ?, ?, 'Active', ?, ?)",
                integration, threatId, alertId, eventId, Timestamp.from(Instant.now()))) {
            LOG.warn("threat {} in {} already had an alert; Defender alert {} is a second one", threatId, integration, alertId);
        }
    }

    /**
     * The alert a create made, and the end of that create's pending row, in one transaction: both or
     * neither, so a crash in between cannot leave a recorded alert with a create still pending.
     */
    public void recordCreated(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("threatId") String threatId,
                              @ExchangeProperty("alertId") String alertId, @ExchangeProperty("eventId") String eventId) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement alert = prepare(connection, "INSERT INTO threat_alert (integration, threat_id, alert_id, status, created_by_event, updated_at) VALUES (?, ?, ?, 'Active', ?, ?)",
                    integration, threatId, alertId, eventId, Timestamp.from(Instant.now()));
                 PreparedStatement pending = prepare(connection, "DELETE FROM pending_create WHERE integration = ? AND threat_id = ?",
                         integration, threatId)) {
                alert.executeUpdate();
                pending.executeUpdate();
                connection.commit();
                return;
            } catch (SQLException e) {
                connection.rollback();
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
        // the threat had an alert already (PostgreSQL ends a transaction at a failed insert: the rest alone)
        saveAlert(integration, threatId, alertId, eventId);
        endCreate(integration, threatId);
    }

    /** Written before a create call goes out, removed once its answer is recorded. */
    public void beginCreate(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("threatId") String threatId,
                            @ExchangeProperty("eventId") String eventId) {
        if (!insertOnce("INSERT INTO pending_create (integration, threat_id, event_id, started_at) VALUES (?, ?, ?, ?)",
                integration, threatId, eventId, Timestamp.from(Instant.now()))) {
            update("UPDATE pending_create SET event_id = ?, started_at = ? WHERE integration = ? AND threat_id = ?",
                    eventId, Timestamp.from(Instant.now()), integration, threatId);
        }
    }

    public void endCreate(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("threatId") String threatId) {
        update("DELETE FROM pending_create WHERE integration = ? AND threat_id = ?", integration, threatId);
    }

    public void markResolved(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("threatId") String threatId) {
        update("UPDATE threat_alert SET status = 'Resolved', updated_at = ? WHERE integration = ? AND threat_id = ?",
                Timestamp.from(Instant.now()), integration, threatId);
    }

    /**
     * Counts a call against a quota that every instance on this store shares: when fewer than
     * {@code limit} calls were counted in the last {@code windowMillis} (the database's clock), this
     * one is counted from now and 0 is returned; otherwise nothing is counted, and the result is how
     * many milliseconds remain until the oldest call leaves the window.
     */
    @Override
    public long countCall(String quotaKey, String callId, int limit, long windowMillis) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                if (!lockQuota(connection, quotaKey)) {
                    connection.rollback();
                    // made outside the transaction: on PostgreSQL a failed insert would abort it
                    insertOnce("INSERT INTO quota_lock (quota_key) VALUES (?)", quotaKey);
                    lockQuota(connection, quotaKey);
                }
                long now = databaseMillis(connection);
                try (PreparedStatement expired = prepare(connection, "DELETE FROM quota_call WHERE quota_key = ? AND counted_at <= ?",
                        quotaKey, now - windowMillis)) {
                    expired.executeUpdate();
                }
                long wait = 0;
                try (PreparedStatement counted = prepare(connection, "SELECT COUNT(*), MIN(counted_at) FROM quota_call WHERE quota_key = ?",
                        quotaKey); ResultSet row = counted.executeQuery()) {
                    row.next();
                    if (row.getInt(1) >= limit) {
                        wait = Math.max(1, row.getLong(2) + windowMillis - now);
                    }
                }
                if (wait == 0) {
                    try (PreparedStatement count = prepare(connection, "INSERT INTO quota_call (quota_key, call_id, counted_at) VALUES (?, ?, ?)",
                            quotaKey, callId, now)) {
                        count.executeUpdate();
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
            throw new StoreUnavailableException(e);
        }
    }

    /** The counted call's answer came: from Defender's side it happened by now, so it counts from now. */
    @Override
    public void recountCall(String quotaKey, String callId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = prepare(connection, "UPDATE quota_call SET counted_at = ? WHERE quota_key = ? AND call_id = ?",
                     databaseMillis(connection), quotaKey, callId)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
    }

    /** @return false when the quota has no row to lock yet */
    private static boolean lockQuota(Connection connection, String quotaKey) throws SQLException {
        try (PreparedStatement lock = prepare(connection, "SELECT quota_key FROM quota_lock WHERE quota_key = ? FOR UPDATE", quotaKey);
             ResultSet row = lock.executeQuery()) {
            return row.next();
        }
    }

    private static long databaseMillis(Connection connection) throws SQLException {
        try (PreparedStatement now = connection.prepareStatement("SELECT CURRENT_TIMESTAMP"); ResultSet row = now.executeQuery()) {
            row.next();
            return row.getTimestamp(1).getTime();
        }
    }

    private boolean exists(String sql, Object... values) {
        return selectOne(sql, row -> Boolean.TRUE, values) != null;
    }

    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /** The first row of a query, read, or null when there is none. */
    private <T> T selectOne(String sql, RowReader<T> reader, Object... values) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values);
             ResultSet row = statement.executeQuery()) {
            return row.next() ? reader.read(row) : null;
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
    }

    /** @return false when the row was there already */
    private boolean insertOnce(String sql, Object... values) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values)) {
            statement.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw new StoreUnavailableException(e);
        }
    }

    private void update(String sql, Object... values) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new StoreUnavailableException(e);
        }
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... values) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < values.length; i++) {
            statement.setObject(i + 1, values[i]);
        }
        return statement;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
