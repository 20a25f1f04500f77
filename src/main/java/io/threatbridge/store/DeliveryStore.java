package io.threatbridge.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.threatbridge.event.InvalidEventException;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * The bridge's memory over JDBC (H2 by default, PostgreSQL for several instances): which events each
 * integration has finished with, the Defender alert of each threat, and the calls counted against
 * each tenant's quota. Flyway owns the schema (src/main/resources/db/migration); {@link StoreRetention}
 * deletes what is no longer needed.
 */
public class DeliveryStore implements QuotaLedger, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStore.class);
    private static final String UNIQUE_VIOLATION = "23505";

    private final HikariDataSource dataSource;
    private final QuotaRings quota;
    private final H2Housekeeping housekeeping;

    public DeliveryStore(String url, String user, String password) {
        this(url, user, password, true);
    }

    /** @param housekeeping false only to measure what {@link H2Housekeeping} saves */
    DeliveryStore(String url, String user, String password, boolean housekeeping) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(durable(url));
        config.setUsername(user);
        config.setPassword(password);
        config.setPoolName("threat-bridge-store");
        config.setMaximumPoolSize(10);
        // a store that is down must not hold a delivery thread for long: the event stays on its queue
        config.setConnectionTimeout(5_000);
        config.setInitializationFailTimeout(30_000);
        dataSource = new HikariDataSource(config);
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        quota = new QuotaRings(dataSource);
        this.housekeeping = housekeeping ? H2Housekeeping.startFor(config.getJdbcUrl(), dataSource) : null;
    }

    /** The default store: an H2 file in the data directory. */
    public static String defaultUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("store").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * The store of dry-run: an H2 file of its own in the data directory, whatever bridge.store.url
     * says, so that the made-up alert ids of dry-run never make an event done for the live bridge.
     */
    public static String dryRunUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("store-dry-run").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /**
     * The URL with H2's write delay turned off unless it sets one itself. H2 writes a commit to its
     * file up to WRITE_DELAY (500 ms) after it acknowledged it; a kill -9 in between loses the commit
     * while the broker has already synced the message's acknowledgement, so the event counts as new
     * after a restart and a second alert is made. With WRITE_DELAY=0 each commit is written to the
     * file before the commit returns (written, not fsynced: it survives the death of the process,
     * not of the machine). And without H2's own shutdown hook (DB_CLOSE_ON_EXIT=FALSE) unless the URL
     * says otherwise or asks for AUTO_SERVER, which H2 allows only with the hook. Other databases' URLs are left as they are.
     */
    static String durable(String url) {
        if (!isH2File(url)) {
            return url;
        }
        String upper = url.toUpperCase(Locale.ROOT);
        String made = upper.contains(";WRITE_DELAY=") ? url : url + ";WRITE_DELAY=0";
        // H2 closes a database from a JVM shutdown hook of its own unless told not to: at SIGTERM that closed the store
        // under the deliveries still finishing (each then retried against a closed store until the stop timed out);
        // the bridge closes the store itself, after its routes have stopped
        // (H2 refuses it together with AUTO_SERVER=TRUE, where the hook stays)
        return upper.contains(";DB_CLOSE_ON_EXIT=") || upper.contains(";AUTO_SERVER=TRUE") ? made : made + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** An H2 database in a file this process opens itself (not in memory, not a server's). */
    static boolean isH2File(String url) {
        return url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:h2:mem:") && !url.startsWith("jdbc:h2:tcp:")
                && !url.startsWith("jdbc:h2:ssl:");
    }

    /** Whether the URL gives H2 a write delay above 0 (then H2's own background thread keeps the file). */
    static boolean delaysWrites(String url) {
        String upper = url.toUpperCase(Locale.ROOT);
        int at = upper.indexOf(";WRITE_DELAY=");
        if (at < 0) {
            return false;
        }
        String value = upper.substring(at + ";WRITE_DELAY=".length()).split(";", 2)[0].trim();
        return !value.equals("0");
    }

    /** What keeps the bridge from its store right now, or null when it answers. */
    public String problem() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(3) ? null : "state store does not answer";
        } catch (SQLException e) {
            return "state store: " + e.getMessage();
        }
    }

    /**
     * Whether the event is done, its threat's alert (and the API that made it) and pending create,
     * all of the event's account: one statement for what the first steps of a delivery need.
     */
    public DeliveryState lookUp(String integration, String account, String eventId, String threatId) {
        checkIds(account, eventId, threatId);
        return selectOne("SELECT d.event_id, a.alert_id, a.api, p.event_id, p.started_at, p.api FROM (VALUES (1)) AS one (x)"
                        + " LEFT JOIN delivered_event d ON d.integration = ? AND d.account_id = ? AND d.event_id = ?"
                        + " LEFT JOIN threat_alert a ON a.integration = ? AND a.account_id = ? AND a.threat_id = ?"
                        + " LEFT JOIN pending_create p ON p.integration = ? AND p.account_id = ? AND p.threat_id = ?",
                row -> new DeliveryState(row.getString(1) != null, row.getString(2), row.getString(3),
                        row.getString(4) == null ? null
                                : new PendingCreate(row.getString(4), row.getTimestamp(5).toInstant(), row.getString(6))),
                integration, account, eventId, integration, account, threatId, integration, account, threatId);
    }

    /** Whether the integration has finished with an event of that id, of any account (for operators and tests). */
    public boolean isDone(String integration, String eventId) {
        return exists("SELECT 1 FROM delivered_event WHERE integration = ? AND event_id = ?", integration, eventId);
    }

    public boolean isDone(String integration, String account, String eventId) {
        return exists("SELECT 1 FROM delivered_event WHERE integration = ? AND account_id = ? AND event_id = ?", integration, account, eventId);
    }

    public void markDone(String integration, String account,
                         String eventId, String outcome,
                         String alertId) {
        checkIds(account, eventId, null);
        insertOnce(insertDone(integration, account, eventId, outcome, alertId));
    }

    /** Which of these events (each of its account) the integration has finished with: one statement for a whole batch. */
    public Set<EventKey> doneEvents(String integration, Collection<EventKey> events) {
        Set<EventKey> done = new HashSet<>();
        if (events.isEmpty()) {
            return done;
        }
        String sql = "SELECT account_id, event_id FROM delivered_event WHERE integration = ? AND event_id IN ("
                + String.join(", ", Collections.nCopies(events.size(), "?")) + ")";
        Object[] values = new Object[events.size() + 1];
        values[0] = integration;
        int i = 1;
        for (EventKey event : events) {
            values[i++] = event.eventId();
        }
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                EventKey found = new EventKey(rows.getString(1), rows.getString(2));
                if (events.contains(found)) {
                    done.add(found);
                }
            }
            return done;
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * Records a batch of events as finished, in one transaction; an event that is recorded already
     * (a second copy delivered meanwhile) stays as it was.
     */
    public void markAllDone(String integration, Collection<EventKey> events, String outcome) {
        if (events.isEmpty()) {
            return;
        }
        for (EventKey event : events) {
            checkIds(event.account(), event.eventId(), null);
        }
        Timestamp now = Timestamp.from(Instant.now());
        String sql = "INSERT INTO delivered_event (integration, account_id, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, ?, NULL, ?)";
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(sql)) {
                for (EventKey event : events) {
                    insert.setString(1, integration);
                    insert.setString(2, event.account());
                    insert.setString(3, event.eventId());
                    insert.setString(4, outcome);
                    insert.setTimestamp(5, now);
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
            throw failure(e);
        }
        // one of them was there already: each alone (a failed statement ends a PostgreSQL transaction)
        for (EventKey event : events) {
            insertOnce("INSERT INTO delivered_event (integration, account_id, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, ?, NULL, ?)",
                    integration, event.account(), event.eventId(), outcome, now);
        }
    }

    static boolean isUniqueViolation(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            if (UNIQUE_VIOLATION.equals(next.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The alert of a threat id in an integration, of whichever account has one (the first), or null
     * when none was created yet: for operators and tests, who know which account they mean.
     */
    public String alertId(String integration, String threatId) {
        return selectOne("SELECT alert_id FROM threat_alert WHERE integration = ? AND threat_id = ?",
                row -> row.getString(1), integration, threatId);
    }

    /** The API that made a threat's alert in an integration (endpoint or graph), of any account, or null (for tests). */
    public String alertApi(String integration, String threatId) {
        return selectOne("SELECT api FROM threat_alert WHERE integration = ? AND threat_id = ?",
                row -> row.getString(1), integration, threatId);
    }

    /** The alert of an account's threat in an integration, or null when none was created yet. */
    public String alertId(String integration, String account, String threatId) {
        return selectOne("SELECT alert_id FROM threat_alert WHERE integration = ? AND account_id = ? AND threat_id = ?",
                row -> row.getString(1), integration, account, threatId);
    }

    public void saveAlert(String integration, String account, String threatId, String alertId, String eventId, String api) {
        if (!insertOnce(insertAlert(integration, account, threatId, alertId, eventId, api))) {
            LOG.warn("threat {} of account {} in {} already had an alert; alert {} is a second one",
                    threatId, account, integration, alertId);
        }
    }

    /**
     * The alert a create made, and the end of that create's pending row, in one transaction: both or
     * neither, so a crash in between cannot leave a recorded alert with a create still pending.
     */
    public void recordCreated(String integration, String account,
                              String threatId, String alertId,
                              String eventId, String api) {
        checkIds(account, eventId, threatId);
        if (!inOneTransaction(insertAlert(integration, account, threatId, alertId, eventId, api),
                endPending(integration, account, threatId))) {
            // the threat had an alert already (PostgreSQL ends a transaction at a failed insert: the rest alone)
            saveAlert(integration, account, threatId, alertId, eventId, api);
            endCreate(integration, account, threatId);
        }
    }

    /**
     * What a create made (the alert, the end of its pending row) and the event's done row, in one
     * transaction: one durable commit where two were, on the path every new threat takes.
     */
    public void recordCreatedAndDone(String integration, String account,
                                     String threatId, String alertId,
                                     String eventId, String api, String outcome) {
        checkIds(account, eventId, threatId);
        if (!inOneTransaction(insertAlert(integration, account, threatId, alertId, eventId, api),
                endPending(integration, account, threatId), insertDone(integration, account, eventId, outcome, alertId))) {
            // a row was there already: each alone, as they were before they shared a transaction
            recordCreated(integration, account, threatId, alertId, eventId, api);
            markDone(integration, account, eventId, outcome, alertId);
        }
    }

    /** The threat's alert resolved and the event's done row, in one transaction. */
    public void markResolvedAndDone(String integration, String account,
                                    String threatId, String eventId,
                                    String outcome, String alertId) {
        checkIds(account, eventId, threatId);
        if (!inOneTransaction(resolveAlert(integration, account, threatId), insertDone(integration, account, eventId, outcome, alertId))) {
            markResolved(integration, account, threatId);
            markDone(integration, account, eventId, outcome, alertId);
        }
    }

    /** One write of the store's, to run alone ({@link #insertOnce}, {@link #update}) or with others ({@link #inOneTransaction}). */
    private record Statement(String sql, Object... values) {
    }

    private static Statement insertAlert(String integration, String account, String threatId, String alertId, String eventId, String api) {
        return new Statement("INSERT INTO threat_alert (integration, account_id, threat_id, alert_id, status, created_by_event, updated_at, api)"
                + " VALUES (?, ?, ?, ?, 'Active', ?, ?, ?)", integration, account, threatId, alertId, eventId, Timestamp.from(Instant.now()), api);
    }

    private static Statement endPending(String integration, String account, String threatId) {
        return new Statement("DELETE FROM pending_create WHERE integration = ? AND account_id = ? AND threat_id = ?", integration, account, threatId);
    }

    private static Statement insertDone(String integration, String account, String eventId, String outcome, String alertId) {
        return new Statement("INSERT INTO delivered_event (integration, account_id, event_id, outcome, alert_id, delivered_at) VALUES (?, ?, ?, ?, ?, ?)",
                integration, account, eventId, outcome, alertId, Timestamp.from(Instant.now()));
    }

    private static Statement resolveAlert(String integration, String account, String threatId) {
        return new Statement("UPDATE threat_alert SET status = 'Resolved', updated_at = ? WHERE integration = ? AND account_id = ? AND threat_id = ?",
                Timestamp.from(Instant.now()), integration, account, threatId);
    }

    /** The statements in one transaction: false, and nothing written, when one met a row that was there already. */
    private boolean inOneTransaction(Statement... statements) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                for (Statement each : statements) {
                    try (PreparedStatement statement = prepare(connection, each.sql(), each.values())) {
                        statement.executeUpdate();
                    }
                }
                connection.commit();
                return true;
            } catch (SQLException e) {
                connection.rollback();
                if (!isUniqueViolation(e)) {
                    throw e;
                }
                return false;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /** Written before a create call goes out (with the API it goes to), removed once its answer is recorded. */
    public void beginCreate(String integration, String account,
                            String threatId, String eventId,
                            String api) {
        checkIds(account, eventId, threatId);
        if (!insertOnce("INSERT INTO pending_create (integration, account_id, threat_id, event_id, started_at, api) VALUES (?, ?, ?, ?, ?, ?)",
                integration, account, threatId, eventId, Timestamp.from(Instant.now()), api)) {
            update("UPDATE pending_create SET event_id = ?, started_at = ?, api = ? WHERE integration = ? AND account_id = ? AND threat_id = ?",
                    eventId, Timestamp.from(Instant.now()), api, integration, account, threatId);
        }
    }

    public void endCreate(String integration, String account,
                          String threatId) {
        update(endPending(integration, account, threatId));
    }

    public void markResolved(String integration, String account,
                             String threatId) {
        update(resolveAlert(integration, account, threatId));
    }

    /** The anchor remembered for a tenant's machine, or null when none is. */
    public RememberedAnchor rememberedAnchor(String tenantId, String machineId) {
        return selectOne("SELECT event_time, report_id, found_at FROM device_anchor WHERE tenant_id = ? AND machine_id = ?",
                row -> new RememberedAnchor(row.getString(1), row.getString(2), row.getTimestamp(3).toInstant()), tenantId, machineId);
    }

    /** Remembers what hunting answered for a tenant's machine: an event, or (both null) none. */
    public void rememberAnchor(String tenantId, String machineId, String eventTime, String reportId) {
        Timestamp now = Timestamp.from(Instant.now());
        if (!insertOnce("INSERT INTO device_anchor (tenant_id, machine_id, event_time, report_id, found_at) VALUES (?, ?, ?, ?, ?)",
                tenantId, machineId, eventTime, reportId, now)) {
            update("UPDATE device_anchor SET event_time = ?, report_id = ?, found_at = ? WHERE tenant_id = ? AND machine_id = ?",
                    eventTime, reportId, now, tenantId, machineId);
        }
    }

    /**
     * Counts a call against a quota that every instance on this store shares: when each window has
     * room (fewer than its limit counted in its last milliseconds, by the database's clock), this
     * call is counted from now and 0 is returned; otherwise nothing is counted, and the result is how
     * many milliseconds remain until the fullest window has room. The same few statements whatever
     * the limit ({@link QuotaRings}).
     */
    @Override
    public long countCall(String quotaKey, String callId, List<QuotaWindow> windows) {
        return quota.countCall(quotaKey, callId, windows);
    }

    /** The counted call's answer came: from Defender's side it happened by now, so it counts from now. */
    @Override
    public void recountCall(String quotaKey, String callId) {
        quota.recountCall(quotaKey, callId);
    }

    /** For the retention, which deletes in statements of its own. */
    DataSource dataSource() {
        return dataSource;
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
            throw failure(e);
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
            throw failure(e);
        }
    }

    private boolean insertOnce(Statement insert) {
        return insertOnce(insert.sql(), insert.values());
    }

    private void update(Statement update) {
        update(update.sql(), update.values());
    }

    private void update(String sql, Object... values) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = prepare(connection, sql, values)) {
            statement.executeUpdate();
        } catch (SQLException e) {
            throw failure(e);
        }
    }

    /**
     * The ids as the store can hold them, checked before a statement: at most its column's length in
     * UTF-16 units (H2 counts those), no NUL (PostgreSQL cannot hold one). The schema bounds the ids
     * of every event ingest accepts the same way; this names the field for an event put on a
     * delivery queue by other means.
     */
    private static void checkIds(String account, String eventId, String threatId) {
        checkId("accountId", account, 512);
        checkId("eventId", eventId, 256);
        checkId("threat.id", threatId, 512);
    }

    private static void checkId(String field, String value, int units) {
        if (value == null) {
            return;
        }
        if (value.length() > units) {
            throw new InvalidEventException(field + ": " + value.length() + " UTF-16 units, more than the store's " + units);
        }
        if (value.indexOf('\0') >= 0) {
            throw new InvalidEventException(field + ": holds a NUL character, which the store cannot keep");
        }
    }

    /**
     * What a failed statement means for the event. An error in SQLState class 22 (data exception:
     * a value too long, a NUL PostgreSQL cannot store) or 23 (integrity, other than the unique
     * violation the store expects and handles) comes from the event's data and would come again:
     * the event is invalid, its reason names the field where the message names a column. Anything
     * else (no connection, a time-out, a database shutting down or out of space) is an outage the
     * delivery waits out.
     */
    static RuntimeException failure(SQLException e) {
        String state = e.getSQLState();
        if (state != null && (state.startsWith("22") || state.startsWith("23") && !UNIQUE_VIOLATION.equals(state))) {
            return new InvalidEventException(field(e.getMessage()) + ": the store refused the value (SQLState " + state + "): "
                    + firstLine(e.getMessage()));
        }
        return new StoreUnavailableException(e);
    }

    /** The event's field behind the column a store's message names, or all ids when it names none. */
    private static String field(String message) {
        String upper = message == null ? "" : message.toUpperCase(Locale.ROOT);
        if (upper.contains("EVENT_ID") || upper.contains("CREATED_BY_EVENT")) {
            return "eventId";
        }
        if (upper.contains("THREAT_ID")) {
            return "threat.id";
        }
        if (upper.contains("ACCOUNT_ID")) {
            return "accountId";
        }
        if (upper.contains("ALERT_ID")) {
            return "alert id";
        }
        return "eventId, accountId or threat.id";
    }

    private static String firstLine(String message) {
        String line = message == null ? "" : message.lines().findFirst().orElse("");
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
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
        if (housekeeping != null) {
            housekeeping.close();
        }
        dataSource.close();
    }
}
