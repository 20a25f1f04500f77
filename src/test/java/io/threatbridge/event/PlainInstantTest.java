package io.threatbridge.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hand-made check of the usual instant form accepts nothing Instant.parse refuses, and the usual forms all. */
class PlainInstantTest {

    private static boolean parses(String value) {
        try {
            Instant.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    @Test
    void acceptsOnlyWhatInstantParseAccepts() {
        List<String> values = List.of("2026-11-27T10:15:30Z", "2026-11-27T10:15:30.1Z", "2026-11-27T10:15:30.123456789Z",
                "2026-11-27T10:15:30.1234567890Z", "2026-11-27T10:15:30.Z", "2024-02-29T00:00:00Z", "2026-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-04-30T23:59:59Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z", "2026-01-01T23:59:60Z",
                "2026-11-27T10:15:30z", "2026-11-27 10:15:30Z", "2026-11-27T10:15Z", "2026-11-27T10:15:30+01:00",
                "2026-11-27T10:15:30", "+2026-11-27T10:15:30Z", "2026-1a-27T10:15:30Z", "２０２６-11-27T10:15:30Z",
                "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "yesterday", "");
        for (String value : values) {
            if (EventValidator.isPlainUtcInstant(value)) {
                assertTrue(parses(value), value);
            }
        }
        for (String value : List.of("2026-11-27T10:15:30Z", "2026-11-27T10:15:30.123Z", "2024-02-29T00:00:00Z",
                "2026-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z")) {
            assertEquals(true, EventValidator.isPlainUtcInstant(value), value);
        }
        for (String value : List.of("2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-01-01T24:00:00Z", "2026-11-27T10:15:30.Z", "2026-11-27T10:15:30.1234567890Z")) {
            assertEquals(false, EventValidator.isPlainUtcInstant(value), value);
        }
    }
}
