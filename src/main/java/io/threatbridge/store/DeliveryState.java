package io.threatbridge.store;

/**
 * What the store knows when an event comes to be delivered: whether the integration has finished
 * with it, the alert of its threat (null when none was created) and the API that made it, and a
 * create for the threat that was sent without its answer being recorded (null when there is none).
 */
public record DeliveryState(boolean done, String alertId, String alertApi, PendingCreate pending) {
}
