package io.threatbridge.defender;

import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.store.DeliveryState;
import io.threatbridge.store.DeliveryStore;
import org.apache.camel.ExchangeProperties;
import org.apache.camel.ExchangeProperty;

import java.util.Map;

/**
 * Puts what a delivery's steps read again and again into plain exchange properties, once per event.
 * A property is a map look-up for the YAML, where a {@code ${a.b.c}} path or a {@code ${bean:...}}
 * expression copies the whole exchange each time it is evaluated (docs/benchmarks.md).
 */
public class DeliveryFacts {

    private final IntegrationRegistry integrations;
    private final EventValidator validator;
    private final DeliveryStore store;

    public DeliveryFacts(IntegrationRegistry integrations, EventValidator validator, DeliveryStore store) {
        this.integrations = integrations;
        this.validator = validator;
        this.store = store;
    }

    /**
     * integration, then event, eventId, threatId, resolved and severity. The integration comes
     * first: the error handling needs it even when the event cannot be read.
     */
    public void read(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("originalBody") String body,
                     @ExchangeProperties Map<String, Object> facts) {
        facts.put("integration", integrations.byName(integration));
        ThreatEvent event = validator.read(body);
        facts.put("event", event);
        set(facts, "eventId", event.eventId());
        if (event.threat() != null) {
            set(facts, "threatId", event.threat().id());
            facts.put("resolved", event.resolved());
            set(facts, "severity", event.severity());
        }
    }

    /** done, alertId and pending: what the store knows of the event and its threat (DeliveryState). */
    public void lookUp(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("eventId") String eventId,
                       @ExchangeProperty("threatId") String threatId, @ExchangeProperties Map<String, Object> facts) {
        DeliveryState state = store.lookUp(integration, eventId, threatId);
        facts.put("done", state.done());
        set(facts, "alertId", state.alertId());
        set(facts, "pending", state.pending());
    }

    /** operation, httpMethod, url and json: the parts of exchangeProperty.request the call needs. */
    public void request(@ExchangeProperty("request") DefenderRequest request, @ExchangeProperty("integration") Integration integration,
                        @ExchangeProperties Map<String, Object> facts) {
        facts.put("operation", request.operation().name());
        facts.put("httpMethod", request.httpMethod());
        facts.put("url", integration.apiUrl() + request.path());
        set(facts, "json", request.json());
    }

    /** As Exchange.setProperty does: the map takes no null, a missing property reads as null. */
    private static void set(Map<String, Object> facts, String name, Object value) {
        if (value == null) {
            facts.remove(name);
        } else {
            facts.put(name, value);
        }
    }
}
