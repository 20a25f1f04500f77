package io.threatbridge.ops;

/** threatbridge:type=DeadLetters: what is on the dead-letter queue, and putting it back. */
public interface DeadLettersMBean {

    /** Messages on the dead-letter queue. */
    long getCount() throws Exception;

    /** The first {@code max} dead letters, one line each: event id, integration, reason. */
    String[] list(int max) throws Exception;

    /** Puts the dead letters of this event back on the inbound queue, original body; returns how many. */
    int replay(String eventId) throws Exception;

    /** Puts every dead letter back on the inbound queue; returns how many. */
    int replayAll() throws Exception;

    /** Removes the dead letters of this event; returns how many. */
    int purge(String eventId) throws Exception;
}
