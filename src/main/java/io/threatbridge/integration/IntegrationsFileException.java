package io.threatbridge.integration;

/** The integrations file cannot be used; the message names the file and the entry. */
public class IntegrationsFileException extends RuntimeException {
    public IntegrationsFileException(String message) {
        super(message);
    }

    public IntegrationsFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
