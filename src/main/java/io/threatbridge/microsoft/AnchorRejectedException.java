package io.threatbridge.microsoft;

/**
 * Defender answered a create with 404: it no longer holds the anchor's event (aged out of its
 * retention, or the machine was offboarded). The delivery finds a fresh anchor once, then creates again.
 */
public class AnchorRejectedException extends PermanentDeliveryException {

    public AnchorRejectedException(String message) {
        super(message, 404);
    }
}
