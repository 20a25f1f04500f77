package io.threatbridge.delivery;

import io.threatbridge.store.PendingCreate;

import java.time.Duration;
import java.time.Instant;

/**
 * A create whose answer was never recorded may still be on its way: sent by an instance that died a
 * moment ago (another takes its integration over within a second), or just before a restart.
 * Asking Defender for its alert before that call can have been answered would find nothing and
 * create a second alert. So the look-up waits until the call's time-outs (connect plus response,
 * from when it was sent, which the pending row records) have run out, plus a margin for the clocks
 * of two instances. The event waits on its queue meanwhile, not in a thread: the integration's
 * other threats go on.
 */
public class UnansweredCreates {

    static final Duration CLOCK_MARGIN = Duration.ofSeconds(2);

    private final Duration callLimit;

    public UnansweredCreates(long connectTimeoutMs, long responseTimeoutMs) {
        this.callLimit = Duration.ofMillis(connectTimeoutMs + responseTimeoutMs).plus(CLOCK_MARGIN);
    }

    /** @throws CreateInFlightException while the pending create may still be answered */
    public void requireSettled(PendingCreate pending) {
        Instant settled = pending.startedAt().plus(callLimit);
        if (Instant.now().isBefore(settled)) {
            throw new CreateInFlightException("the create sent for event " + pending.eventId() + " at " + pending.startedAt()
                    + " may still be answered; looked up from " + settled, settled);
        }
    }
}
