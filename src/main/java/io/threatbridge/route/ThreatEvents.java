package io.threatbridge.route;

import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.MappedEvent;
import io.threatbridge.event.ThreatEvent;
import org.apache.camel.Body;
import org.apache.camel.Exchange;

/** The event a message holds, read once, and the parts of it the steps after it read, as exchange properties. */
public record ThreatEvents(EventValidator validator) {

    /**
     * routes/ingest: the event validated (InvalidEventException otherwise); event, accountId,
     * severity, priority (its JMS priority), threatId, eventBody (the text the delivery queues get)
     * and, for a vendor's record, mappedEvent.
     */
    public void validate(@Body Object body, Exchange exchange) {
        ThreatEvent event;
        if (body instanceof MappedEvent mapped) {
            try {
                event = validator.validateMapped(mapped);
            } catch (InvalidEventException e) {
                throw mapped.explain(e);
            }
            exchange.setProperty("eventBody", mapped.text());
            exchange.setProperty("mappedEvent", mapped);
        } else {
            event = validator.validate(body);
            exchange.setProperty("eventBody", body);
        }
        exchange.setProperty("event", event);
        exchange.setProperty("accountId", event.accountId());
        exchange.setProperty("severity", event.severity());
        exchange.setProperty("priority", event.severity().jmsPriority());
        exchange.setProperty("threatId", event.threat().id());
    }

    /** routes/delivery: the event ingest validated; event, eventId, accountId, threatId, resolved, severity. */
    public void read(Exchange exchange) {
        ThreatEvent event = validator.read(exchange.getMessage().getBody(String.class));
        exchange.setProperty("event", event);
        exchange.setProperty("eventId", event.eventId());
        exchange.setProperty("accountId", event.accountId());
        if (event.threat() != null) {
            exchange.setProperty("threatId", event.threat().id());
            exchange.setProperty("resolved", event.resolved());
            exchange.setProperty("severity", event.severity());
        }
    }
}
