package io.threatbridge.defender;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.store.PendingCreate;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

import java.util.EnumMap;
import java.util.Map;

/** The routes' one door to both APIs: each call goes to the {@link AlertApi} of the integration's `api`. */
public class AlertApis {

    private final Map<Integration.Api, AlertApi> apis = new EnumMap<>(Integration.Api.class);

    public AlertApis() {
        apis.put(Integration.Api.endpoint, new EndpointAlerts());
        apis.put(Integration.Api.graph, new GraphAlerts());
    }

    public DefenderRequest createRequest(@ExchangeProperty("integration") Integration integration,
                                         @ExchangeProperty("event") ThreatEvent event) {
        return apis.get(integration.api()).createRequest(event);
    }

    public DefenderRequest resolveRequest(@ExchangeProperty("integration") Integration integration,
                                          @ExchangeProperty("event") ThreatEvent event, @ExchangeProperty("alertId") String alertId) {
        return apis.get(integration.api()).resolveRequest(event, alertId);
    }

    public DefenderRequest lookupRequest(@ExchangeProperty("integration") Integration integration,
                                         @ExchangeProperty("pending") PendingCreate pending) {
        return apis.get(integration.api()).lookupRequest(pending);
    }

    public String matchingAlert(@ExchangeProperty("integration") Integration integration, @Body String body,
                                @ExchangeProperty("event") ThreatEvent event, @ExchangeProperty("pending") PendingCreate pending) {
        return apis.get(integration.api()).matchingAlert(body, event, pending);
    }
}
