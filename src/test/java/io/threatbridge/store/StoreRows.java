package io.threatbridge.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/** A store's rows changed and counted behind its back, through its own connections: to make rows old in tests. */
public final class StoreRows {

    private StoreRows() {
    }

    /** Runs one statement; an Instant value is bound as a timestamp. */
    public static int update(DeliveryStore store, String sql, Object... values) throws SQLException {
        try (Connection connection = store.dataSource().getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                statement.setObject(i + 1, values[i] instanceof Instant at ? Timestamp.from(at) : values[i]);
            }
            return statement.executeUpdate();
        }
    }

    /** The first column of the first row, as a number (a COUNT(*)). */
    public static long count(DeliveryStore store, String sql) throws SQLException {
        try (Connection connection = store.dataSource().getConnection(); PreparedStatement statement = connection.prepareStatement(sql);
             ResultSet row = statement.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }
}
