package io.threatbridge.microsoft;

/** Worth another try later (408, 5xx, no answer, no token): retried with back-off, then dead-lettered. */
public class RetryableDeliveryException extends DeliveryException {
    public RetryableDeliveryException(String message, Integer httpStatus, Throwable cause) {
        super(message, httpStatus, cause);
    }
}
