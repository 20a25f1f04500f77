package io.threatbridge.store;

/** At most {@code limit} calls in any {@code millis}; a limit of 0 or less is no limit. */
public record QuotaWindow(int limit, long millis) {
}
