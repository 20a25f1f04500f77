package io.threatbridge.ops;

/** threatbridge:type=Integration,name=... (interface.md section 6). */
public interface IntegrationMBean {

    long getDelivered();

    long getFiltered();

    long getDeadLettered();

    long getRetried();

    long getRateLimited();

    String getLastError();

    /** ISO instant of the last alert delivered, or empty. */
    String getLastDeliveredAt();

    /** UP, THROTTLED, FAILING or PAUSED (interface.md section 6); THROTTLED and FAILING end by themselves. */
    String getState();

    /** Stops taking events from the integration's queue; they stay queued. */
    void pause() throws Exception;

    void resume() throws Exception;
}
