package io.threatbridge.delivery;

import java.time.Instant;

/**
 * The tenant's next call may not go before {@link #getRetryAt()}: its quota is spent for now, or its
 * gate is closed (a Retry-After, or the circuit of a tenant that keeps failing). Not a failure: the
 * event goes back on its queue due then, no attempt counted, and the delivery lane that held it
 * serves other tenants meanwhile instead of waiting in a thread.
 */
public class TenantBusyException extends Exception {

    /** A shorter wait is waited in the thread: cheaper than putting the event back. */
    public static final long WAITED_IN_THREAD_MS = 250;

    private final Instant retryAt;

    public TenantBusyException(String why, Instant retryAt) {
        super(why + " until " + retryAt);
        this.retryAt = retryAt;
    }

    public Instant getRetryAt() {
        return retryAt;
    }

    public long getRetryAtMillis() {
        return retryAt.toEpochMilli();
    }
}
