package io.threatbridge.microsoft;

/** 401: the token was refused. The route gets one fresh token and tries once more. */
public class TokenRejectedException extends DeliveryException {
    public TokenRejectedException(String message) {
        super(message, 401, null);
    }
}
