package io.threatbridge.store;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

/**
 * The two stores the suite runs on: an H2 file, and PostgreSQL at 127.0.0.1:5432 (database test,
 * trust auth) in a schema of its own for each test. Where PostgreSQL cannot be reached a developer's
 * run skips those tests and says why; CI (CI=true) fails instead, so it never skips them silently.
 */
public final class TestStores {

    public static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String POSTGRES_USER = "postgres";

    private TestStores() {
    }

    /** The bridge settings for a store of that kind. */
    public static Map<String, String> settings(String kind, Path dir) throws SQLException {
        if ("h2".equals(kind)) {
            return Map.of("bridge.store.url", "jdbc:h2:file:" + dir.resolve("store-h2").toAbsolutePath());
        }
        return Map.of("bridge.store.url", POSTGRES + "?currentSchema=" + freshPostgresSchema(), "bridge.store.user", POSTGRES_USER);
    }

    /** A store on the database those settings name, as the bridge opens it. */
    public static DeliveryStore open(Map<String, String> settings) {
        return new DeliveryStore(settings.get("bridge.store.url"), settings.get("bridge.store.user"), null);
    }

    public static String freshPostgresSchema() throws SQLException {
        String schema = "tb_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection connection = postgres(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        return schema;
    }

    private static Connection postgres() throws SQLException {
        try {
            return DriverManager.getConnection(POSTGRES, POSTGRES_USER, null);
        } catch (SQLException unreachable) {
            if ("true".equals(System.getenv("CI"))) {
                throw unreachable;
            }
            Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable (" + unreachable.getMessage()
                    + "): the PostgreSQL store tests are skipped here; CI runs them");
            throw unreachable;
        }
    }

    /** The status the store holds for the threat's alert (Active, Resolved), or null when it holds none. */
    public static String alertStatus(DeliveryStore store, String threatId) throws SQLException {
        try (Connection connection = store.dataSource().getConnection();
             var query = connection.prepareStatement("SELECT status FROM threat_alert WHERE threat_id = ?")) {
            query.setString(1, threatId);
            try (var row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }
}
