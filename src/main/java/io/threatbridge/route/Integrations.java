package io.threatbridge.route;

import io.threatbridge.event.MappedEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

import java.util.List;

/** The integrations in force (IntegrationRegistry), as the ingest and delivery routes ask for them. */
public record Integrations(IntegrationRegistry registry) {

    /** routes/ingest: the integrations of the event's account, or InvalidEventException (unknown account, sender not allowed). */
    public List<Integration> forAccount(@ExchangeProperty("accountId") String accountId, @ExchangeProperty("mappedEvent") MappedEvent mapped,
                                        @ExchangeProperty("sender") String sender) {
        return registry.forAccount(accountId, mapped, sender);
    }

    /** routes/delivery: integration, the one the delivery lane named, and integrationApi, its api (auto, endpoint or graph). */
    public void named(@ExchangeProperty("integrationName") String name, Exchange exchange) {
        Integration integration = registry.byName(name);
        exchange.setProperty("integration", integration);
        exchange.setProperty("integrationApi", integration.api().name());
    }
}
