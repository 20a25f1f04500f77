package io.threatbridge.microsoft;

/** Defender refused the request and would refuse it again (4xx other than 401, 408, 429): dead-letter at once. */
public class PermanentDeliveryException extends DeliveryException {
    public PermanentDeliveryException(String message, Integer httpStatus) {
        super(message, httpStatus, null);
    }
}
