package io.threatbridge.format;

/** A mapping file in the formats folder that cannot be used; the message names the file and the key. */
public class FormatFileException extends RuntimeException {
    public FormatFileException(String message) {
        super(message);
    }

    public FormatFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
