package io.threatbridge.store;

import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

import java.sql.Connection;
import java.sql.SQLException;

/** For tests and bench/: the default store without its H2 housekeeping, and how much of its file is in use. */
public final class StoreFiles {

    private StoreFiles() {
    }

    /** The store as the bridge opens it, but without {@link H2Housekeeping}: the baseline it is measured against. */
    public static DeliveryStore withoutHousekeeping(String url) {
        return new DeliveryStore(url, "", "", false);
    }

    /** The share of an embedded H2 store's file that holds live chunks, in percent (H2 reuses the rest before it grows the file). */
    public static int fillRate(DeliveryStore store) throws SQLException {
        try (Connection connection = store.dataSource().getConnection()) {
            MVStore h2 = ((SessionLocal) connection.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
            return h2.getFillRate();
        }
    }
}
