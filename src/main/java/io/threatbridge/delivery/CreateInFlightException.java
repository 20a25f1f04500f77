package io.threatbridge.delivery;

import java.time.Instant;

/**
 * An earlier create for the threat may still be answered ({@link UnansweredCreates}): the event
 * comes back at {@link #getRetryAt()}, without counting as a failed attempt, while the
 * integration's other events go on.
 */
public class CreateInFlightException extends RuntimeException {

    private final Instant retryAt;

    public CreateInFlightException(String message, Instant retryAt) {
        super(message, null, false, false);
        this.retryAt = retryAt;
    }

    public Instant getRetryAt() {
        return retryAt;
    }

    public long getRetryAtMillis() {
        return retryAt.toEpochMilli();
    }
}
