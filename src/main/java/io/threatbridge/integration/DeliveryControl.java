package io.threatbridge.integration;

/**
 * What operations and the console may ask of an integration's delivery, whatever consumes its queue
 * (the delivery lanes, or a Sentinel integration's own route): pause, resume, and whether it runs.
 */
public interface DeliveryControl {

    void pause(String integration) throws Exception;

    void resume(String integration) throws Exception;

    boolean isPaused(String integration);

    /** Looks at these integrations' queues (added or enabled by a reload) and delivers the events found there. */
    void lookForEvents(java.util.Collection<String> integrations);

    /** Whether its events are being taken from its queue now, or would be as soon as they come. */
    boolean isConsuming(String integration);
}
