package io.threatbridge.store;

import java.sql.SQLException;

/** The store did not answer; the event is rolled back to its queue and tried again later. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(SQLException cause) {
        super("state store: " + cause.getMessage(), cause);
    }
}
