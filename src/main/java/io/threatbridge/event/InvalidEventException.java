package io.threatbridge.event;

import io.threatbridge.logging.EmailMask;

/**
 * An event that can never be delivered as it is. The message names the field, and becomes the
 * bridgeError property of the copy put on the invalid queue (e-mail addresses masked when
 * bridge.log.mask-emails is on: a value may be quoted).
 */
public class InvalidEventException extends RuntimeException {
    public InvalidEventException(String message) {
        super(EmailMask.mask(oneLine(message)), null, false, false);
    }

    /** bridgeError is a JMS property an operator reads in a console: one line, bounded. */
    private static String oneLine(String message) {
        String flat = message.replaceAll("[\\r\\n\\t]+", " ");
        return flat.length() <= 500 ? flat : flat.substring(0, 497) + "...";
    }
}
