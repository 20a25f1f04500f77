package io.threatbridge.route;

import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.MappedEvent;
import io.threatbridge.event.Severity;
import io.threatbridge.event.ThreatEvent;

import io.threatbridge.integration.Integration;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/**
 * Validates an inbound event and puts what the ingest steps read into plain exchange properties:
 * a property is a map look-up for the YAML, where a {@code ${a.b.c}} path copies the whole exchange
 * each time it is evaluated (docs/benchmarks.md).
 */
public class EventFacts {

    private final EventValidator validator;

    public EventFacts(EventValidator validator) {
        this.validator = validator;
    }

    /**
     * event, accountId, severity, priority (its JMS priority), threatId, and eventBody, the text
     * the delivery queues get (and mappedEvent, for a vendor's record); or InvalidEventException.
     * The body is the message (the bridge's own format) or a {@link MappedEvent} made from a
     * vendor's record.
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

    /**
     * For one integration of the event's account (the body, within the split): integrationName,
     * enabled, and admitted, whether its filter level lets the event's severity through.
     */
    public void target(@Body Integration integration, @ExchangeProperty("severity") Severity severity,
                       Exchange exchange) {
        exchange.setProperty("integrationName", integration.name());
        exchange.setProperty("enabled", integration.enabled());
        exchange.setProperty("admitted", integration.admits(severity));
        exchange.setProperty("filterLevel", integration.filterLevel());
    }
}
