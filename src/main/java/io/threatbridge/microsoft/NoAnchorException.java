package io.threatbridge.microsoft;

/** An integration with `api: endpoint` got a threat on a device Defender holds no event of: a dead letter. */
public class NoAnchorException extends PermanentDeliveryException {

    public NoAnchorException(String message) {
        super(message, null);
    }
}
