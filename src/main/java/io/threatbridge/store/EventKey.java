package io.threatbridge.store;

/** An event as the store keys it (interface.md section 4): its account and its id. */
public record EventKey(String account, String eventId) {
}
