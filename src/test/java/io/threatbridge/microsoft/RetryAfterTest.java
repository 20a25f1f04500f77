package io.threatbridge.microsoft;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retry-After (RFC 9110 section 10.2.3: seconds or an HTTP date) is honoured up to an hour, the
 * longest quota window Defender documents; a larger value, a date a year away or a number that
 * overflows would otherwise silence the tenant for good (or throw when added to now).
 */
class RetryAfterTest {

    @Test
    void secondsAndDatesAreHonouredUpToAnHour() {
        assertEquals(Duration.ofSeconds(120), DefenderReply.retryAfter("120"));
        assertEquals(DefenderReply.DEFAULT_RETRY_AFTER, DefenderReply.retryAfter(null));
        assertEquals(Duration.ZERO, DefenderReply.retryAfter("-5"));
        Duration soon = DefenderReply.retryAfter(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(10)));
        assertTrue(soon.compareTo(Duration.ofMinutes(9)) > 0 && soon.compareTo(Duration.ofMinutes(10)) <= 0, soon.toString());
    }

    @Test
    void anythingLongerWaitsAnHour() {
        assertEquals(Duration.ofHours(1), DefenderReply.retryAfter("86400"));
        assertEquals(Duration.ofHours(1), DefenderReply.retryAfter(String.valueOf(Long.MAX_VALUE)));
        assertEquals(Duration.ofHours(1), DefenderReply.retryAfter(
                DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusYears(1))));
    }
}
