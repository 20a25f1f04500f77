package io.threatbridge.store;

import java.sql.SQLException;

/**
 * The store did not answer. The delivery route waits for it (routes/error-handling.camel.yaml). The
 * SQLException is not kept as the cause: Camel matches error handlers from the innermost cause out,
 * and the driver's exception would be taken for an unforeseen failure.
 */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(SQLException cause) {
        super("state store: " + cause.getMessage() + " (SQLState " + cause.getSQLState() + ")");
    }
}
