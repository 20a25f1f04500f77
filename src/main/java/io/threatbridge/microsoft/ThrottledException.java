package io.threatbridge.microsoft;

import java.time.Instant;

/** 429: no call to this tenant before {@link #getRetryAt()}. */
public class ThrottledException extends DeliveryException {

    private final Instant retryAt;

    public ThrottledException(String message, Instant retryAt) {
        super(message, 429, null);
        this.retryAt = retryAt;
    }

    public Instant getRetryAt() {
        return retryAt;
    }

    public long getRetryAtMillis() {
        return retryAt.toEpochMilli();
    }
}
