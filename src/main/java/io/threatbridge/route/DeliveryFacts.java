package io.threatbridge.route;

import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.PermanentDeliveryException;

import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.store.DeliveryState;
import io.threatbridge.store.DeliveryStore;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * Puts what a delivery's steps read again and again into plain exchange properties, once per event.
 * A property is a map look-up for the YAML, where a {@code ${a.b.c}} path or a {@code ${bean:...}}
 * expression copies the whole exchange each time it is evaluated (docs/benchmarks.md).
 */
public class DeliveryFacts {

    private final IntegrationRegistry integrations;
    private final EventValidator validator;
    private final DeliveryStore store;
    private final String graphApiUrl;
    private final String huntingApiUrl;

    /** @param graphApiUrl bridge.graph.api-url; @param huntingApiUrl bridge.hunting.api-url */
    public DeliveryFacts(IntegrationRegistry integrations, EventValidator validator, DeliveryStore store,
                         String graphApiUrl, String huntingApiUrl) {
        this.integrations = integrations;
        this.validator = validator;
        this.store = store;
        this.graphApiUrl = trimSlash(graphApiUrl);
        this.huntingApiUrl = trimSlash(huntingApiUrl);
    }

    /**
     * First what the error handling needs to put the event back on its queue or on the dead-letter
     * queue, so that it is there even when the event cannot be read: originalBody, priority,
     * groupId, receivedAt and attempt (from the message) and integration, and integrationApi (its
     * `api`: auto, endpoint or graph). Then event, eventId, accountId, threatId, resolved and severity.
     */
    public void read(@ExchangeProperty("integrationName") String integration, @Body Object body,
                     @Header("JMSPriority") Integer priority, @Header("JMSXGroupID") String groupId,
                     @Header("bridgeReceivedAt") Long receivedAt, @Header("bridgeAttempt") Integer attempt, Exchange exchange) {
        // as it came, text or bytes: a retry or a dead letter carries it unchanged
        exchange.setProperty("originalBody", body);
        exchange.setProperty("priority", priority);
        exchange.setProperty("groupId", groupId);
        exchange.setProperty("receivedAt", receivedAt);
        exchange.setProperty("attempt", attempt == null ? 1 : attempt);
        Integration known = integrations.byName(integration);
        exchange.setProperty("integration", known);
        exchange.setProperty("integrationApi", known.api().name());
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

    /** done, alertId, alertApi and pending: what the store knows of the event and its threat (DeliveryState). */
    public void lookUp(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                       @ExchangeProperty("eventId") String eventId, @ExchangeProperty("threatId") String threatId, Exchange exchange) {
        DeliveryState state = store.lookUp(integration, account, eventId, threatId);
        exchange.setProperty("done", state.done());
        exchange.setProperty("alertId", state.alertId());
        exchange.setProperty("alertApi", state.alertApi());
        exchange.setProperty("pending", state.pending());
    }

    /** request (the body), and operation, httpMethod, url and json: the parts of it the call needs. */
    public void request(@Body DefenderRequest request, @ExchangeProperty("integration") Integration integration, Exchange exchange) {
        exchange.setProperty("request", request);
        exchange.setProperty("operation", request.operation().name());
        exchange.setProperty("httpMethod", request.httpMethod());
        exchange.setProperty("url", url(request, integration));
        exchange.setProperty("json", request.json());
    }

    /**
     * The request's path on its service's base URL; a whole URL (a list's @odata.nextLink) only on
     * that base URL's host, since the call carries the tenant's token.
     */
    private String url(DefenderRequest request, Integration integration) {
        String base = baseUrl(request.service(), integration);
        if (!request.path().startsWith("https://")) {
            return base + request.path();
        }
        java.net.URI link = java.net.URI.create(request.path());
        java.net.URI own = java.net.URI.create(base);
        if (!own.getHost().equalsIgnoreCase(link.getHost()) || own.getPort() != link.getPort()) {
            throw new PermanentDeliveryException(request.service().label() + " named a next page on another host ("
                    + link.getHost() + "): not followed with the tenant's token", null);
        }
        return request.path();
    }

    /** Defender for Endpoint at the integration's apiUrl; Graph's alerts and hunting at the bridge's settings. */
    private String baseUrl(DefenderRequest.Service service, Integration integration) {
        return switch (service) {
            case defender -> integration.apiUrl();
            case graph -> graphApiUrl;
            case hunting -> huntingApiUrl;
            case sentinel -> integration.sentinel().ingestionUrl();
        };
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
