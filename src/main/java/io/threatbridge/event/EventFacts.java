package io.threatbridge.event;

import org.apache.camel.Body;
import io.threatbridge.integration.Integration;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.ExchangeProperty;

import java.util.Map;

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

    /** event, accountId, severity, priority (its JMS priority) and threatId; or InvalidEventException. */
    public void validate(@Body Object body, @ExchangeProperties Map<String, Object> facts) {
        ThreatEvent event = validator.validate(body);
        facts.put("event", event);
        facts.put("accountId", event.accountId());
        facts.put("severity", event.severity());
        facts.put("priority", event.severity().jmsPriority());
        facts.put("threatId", event.threat().id());
    }

    /**
     * For one integration of the event's account (the body, within the split): integrationName,
     * enabled, and admitted, whether its filter level lets the event's severity through.
     */
    public void target(@Body Integration integration, @ExchangeProperty("severity") Severity severity,
                       @ExchangeProperties Map<String, Object> facts) {
        facts.put("integrationName", integration.name());
        facts.put("enabled", integration.enabled());
        facts.put("admitted", integration.admits(severity));
        facts.put("filterLevel", integration.filterLevel());
    }
}
