package io.threatbridge.console;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stored form of the console password: checked, salted, never weaker than the bridge accepts. */
class PasswordHashTest {

    @Test
    void matchesOnlyItsPasswordAndIsSalted() {
        String stored = PasswordHash.hash("correct-horse-battery".toCharArray());
        assertTrue(stored.startsWith("pbkdf2-sha256:600000:"));
        assertTrue(PasswordHash.parse(stored).matches("correct-horse-battery".toCharArray()));
        assertFalse(PasswordHash.parse(stored).matches("correct-horse-batterY".toCharArray()));
        assertNotEquals(stored, PasswordHash.hash("correct-horse-battery".toCharArray()), "a new salt each time");
        // a trailing newline, as a file holds it, is no part of the hash
        assertTrue(PasswordHash.parse(stored + "\n").matches("correct-horse-battery".toCharArray()));
    }

    @Test
    void refusesWhatIsNotAStrongHash() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("secret")).getMessage()
                .contains("is not of the form pbkdf2-sha256:<iterations>:<salt>:<hash>"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256:1000:AAAA:AAAA")).getMessage()
                .contains("1000 iterations, fewer than 100000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256:200000:%%%:AAAA")).getMessage()
                .contains("not base64"));
        assertFalse(assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("plain-password-typed-here")).getMessage()
                .contains("plain-password-typed-here"), "the message never repeats what was given");
    }
}
