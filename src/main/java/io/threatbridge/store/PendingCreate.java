package io.threatbridge.store;

import java.time.Instant;

/** A create call that left no recorded answer: it may or may not have made an alert, on that API. */
public record PendingCreate(String eventId, Instant startedAt, String api) {
}
