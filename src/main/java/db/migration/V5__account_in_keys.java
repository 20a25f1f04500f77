package db.migration;

import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Alerts, pending creates and finished events are keyed by the event's account too (interface.md
 * section 4): two accounts that use the same threat.id or eventId never share, suppress or resolve
 * each other's. Each table gains account_id and its primary key is made again with it; the id
 * columns are widened to hold their limit in UTF-16 units. In Java
 * because the two stores drop a primary key differently (H2: DROP PRIMARY KEY; PostgreSQL: by
 * the constraint's name). Rows written before this migration have account_id '' (their account was
 * not recorded): docs/operations.md says what that means for an upgrade.
 */
public class V5__account_in_keys extends BaseJavaMigration {

    private static final String[][] TABLES = {
            {"delivered_event", "integration, account_id, event_id"},
            {"threat_alert", "integration, account_id, threat_id"},
            {"pending_create", "integration, account_id, threat_id"},
    };

    private static final String[] WIDER = {
            "delivered_event.event_id.256", "pending_create.event_id.256", "threat_alert.created_by_event.256",
            "threat_alert.threat_id.512", "pending_create.threat_id.512",
            "delivered_event.account_id.512", "threat_alert.account_id.512", "pending_create.account_id.512",
    };

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        boolean h2 = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("h2");
        try (Statement statement = connection.createStatement()) {
            for (String[] table : TABLES) {
                String name = table[0];
                statement.execute("ALTER TABLE " + name + " ADD COLUMN account_id VARCHAR(256) DEFAULT '' NOT NULL");
                statement.execute(h2 ? "ALTER TABLE " + name + " DROP PRIMARY KEY"
                        : "ALTER TABLE " + name + " DROP CONSTRAINT " + primaryKeyName(connection, name));
                statement.execute("ALTER TABLE " + name + " ADD PRIMARY KEY (" + table[1] + ")");
            }
            // ids are bounded in characters (code points: interface.md section 4, the schema); H2
            // counts a VARCHAR's length in UTF-16 units, where a character such as an emoji takes
            // two, so its columns hold twice the limit
            for (String column : WIDER) {
                String[] at = column.split("\\.");
                statement.execute("ALTER TABLE " + at[0] + " ALTER COLUMN " + at[1] + " SET DATA TYPE VARCHAR(" + at[2] + ")");
            }
        }
    }

    private static String primaryKeyName(Connection connection, String table) throws SQLException {
        DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet key = meta.getPrimaryKeys(null, connection.getSchema(), table)) {
            if (!key.next()) {
                throw new SQLException(table + " has no primary key to replace");
            }
            return '"' + key.getString("PK_NAME") + '"';
        }
    }
}
