package io.threatbridge.store;

import java.time.Instant;

/**
 * A machine's anchor as the store remembers it: the event's time and report id exactly as advanced
 * hunting returned them, both null when Defender held no event of the machine at {@code foundAt}.
 */
public record RememberedAnchor(String eventTime, String reportId, Instant foundAt) {
}
