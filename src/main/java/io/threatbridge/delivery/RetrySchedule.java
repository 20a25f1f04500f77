package io.threatbridge.delivery;

/**
 * When a failed delivery is tried again (bridge.delivery.*): exponential back-off, doubled per
 * attempt from the initial delay up to the maximum. The wait happens in the broker (scheduled
 * delivery), not in a thread.
 */
public class RetrySchedule {

    private final int maxAttempts;
    private final long initialDelayMs;
    private final long maxDelayMs;

    public RetrySchedule(int maxAttempts, long initialDelayMs, long maxDelayMs) {
        if (maxAttempts < 1 || initialDelayMs < 0 || maxDelayMs < initialDelayMs) {
            throw new IllegalArgumentException("bridge.delivery.*: need max-attempts >= 1 and 0 <= initial-delay-ms <= max-delay-ms");
        }
        this.maxAttempts = maxAttempts;
        this.initialDelayMs = initialDelayMs;
        this.maxDelayMs = maxDelayMs;
    }

    /** Whether an event whose attempt number {@code attempt} just failed may have another. */
    public boolean mayRetry(int attempt) {
        return attempt < maxAttempts;
    }

    /** The epoch millis at which the attempt after {@code attempt} is due. */
    public long nextAttemptAt(int attempt) {
        long delay = initialDelayMs;
        for (int i = 1; i < attempt && delay < maxDelayMs; i++) {
            delay *= 2;
        }
        return System.currentTimeMillis() + Math.min(delay, maxDelayMs);
    }
}
