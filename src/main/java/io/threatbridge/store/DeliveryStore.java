package io.threatbridge.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * The bridge's memory over JDBC (H2 by default, PostgreSQL for several instances): which events each
 * integration has finished with, and the Defender alert of each threat. Flyway owns the schema
 * (src/main/resources/db/migration).
 */
public class DeliveryStore implements AutoCloseable {

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

    public boolean isDone(String integration, String eventId) {
        return exists("SELECT 1 FROM delivered_event WHERE integration = ? AND event_id = ?", integration, eventId);
    }

    public void markDone(String integration, String eventId, String outcome, String alertId) {
        insertOnce("INSERT INTO delivered_event (integration, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, ?, ?)",
                integration, eventId, outcome, alertId, Timestamp.from(Instant.now()));
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

    /** The create call for this threat that was sent without its answer being recorded, or null. */
    public PendingCreate pendingCreate(String integration, String threatId) {
        return selectOne("SELECT event_id, started_at FROM pending_create WHERE integration = ? AND threat_id = ?",
                row -> new PendingCreate(row.getString(1), row.getTimestamp(2).toInstant()), integration, threatId);
    }

    /** Written before a create call goes out, removed once its answer is recorded. */
    public void beginCreate(String integration, String threatId, String eventId) {
        if (!insertOnce("INSERT INTO pending_create (integration, threat_id, event_id, started_at) VALUES (?, ?, ?, ?)",
                integration, threatId, eventId, Timestamp.from(Instant.now()))) {
            update("UPDATE pending_create SET event_id = ?, started_at = ? WHERE integration = ? AND threat_id = ?",
                    eventId, Timestamp.from(Instant.now()), integration, threatId);
        }
    }

    public void endCreate(String integration, String threatId) {
        update("DELETE FROM pending_create WHERE integration = ? AND threat_id = ?", integration, threatId);
    }

    public void markResolved(String integration, String threatId) {
        update("UPDATE threat_alert SET status = 'Resolved', updated_at = ? WHERE integration = ? AND threat_id = ?",
                Timestamp.from(Instant.now()), integration, threatId);
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
