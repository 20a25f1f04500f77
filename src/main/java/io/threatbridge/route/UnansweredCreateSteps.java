package io.threatbridge.route;

import io.threatbridge.delivery.UnansweredCreates;
import io.threatbridge.store.PendingCreate;
import org.apache.camel.ExchangeProperty;

/** Bean "unansweredCreates": a pending create is looked up only once its call can no longer be answered. */
public record UnansweredCreateSteps(UnansweredCreates creates) {

    /** Returns once the pending create is settled; CreateInFlightException while it may still be answered. */
    public void requireSettled(@ExchangeProperty("pending") PendingCreate pending) {
        creates.requireSettled(pending);
    }
}
