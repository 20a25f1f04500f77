package io.threatbridge.microsoft;

import io.threatbridge.logging.EmailMask;

/**
 * A Defender call that did not succeed. Its message becomes bridgeError on the dead-letter queue, so
 * it names the HTTP status or the cause and never holds a token or a secret; an e-mail address
 * Defender quotes back is masked when bridge.log.mask-emails is on.
 */
public abstract class DeliveryException extends RuntimeException {

    private final Integer httpStatus;

    protected DeliveryException(String message, Integer httpStatus, Throwable cause) {
        super(EmailMask.mask(message), cause);
        this.httpStatus = httpStatus;
    }

    /** The status Defender answered with, or null when it did not answer. */
    public Integer getHttpStatus() {
        return httpStatus;
    }
}
