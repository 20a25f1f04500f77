package io.threatbridge.route;

import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/** routes/delivery: what a retry or a dead letter needs to put an event back as it came, kept before anything can fail. */
public class QueuedEvent {

    /** originalBody (text or bytes, unchanged), priority, groupId, receivedAt, attempt (1 for a first delivery). */
    public void keep(@Body Object body, @Header("JMSPriority") Integer priority, @Header("JMSXGroupID") String groupId,
                     @Header("bridgeReceivedAt") Long receivedAt, @Header("bridgeAttempt") Integer attempt, Exchange exchange) {
        exchange.setProperty("originalBody", body);
        exchange.setProperty("priority", priority);
        exchange.setProperty("groupId", groupId);
        exchange.setProperty("receivedAt", receivedAt);
        exchange.setProperty("attempt", attempt == null ? 1 : attempt);
    }
}
