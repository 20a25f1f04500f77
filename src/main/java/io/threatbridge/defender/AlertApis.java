package io.threatbridge.defender;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.store.PendingCreate;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

import java.util.EnumMap;
import java.util.Map;

/**
 * The routes' one door to both alert APIs: each call goes to the {@link AlertApi} the alert is on
 * (exchange property alertApi: endpoint or graph, chosen for a create, remembered by the store for
 * a resolve, recorded with a pending create for its look-up).
 */
public class AlertApis {

    private final Map<Integration.Api, AlertApi> apis = new EnumMap<>(Integration.Api.class);

    public AlertApis() {
        apis.put(Integration.Api.endpoint, new EndpointAlerts());
        apis.put(Integration.Api.graph, new GraphAlerts());
    }

    public DefenderRequest createRequest(@ExchangeProperty("alertApi") String api, @ExchangeProperty("event") ThreatEvent event,
                                         @ExchangeProperty("anchor") Anchor anchor) {
        return of(api).createRequest(event, anchor);
    }

    public DefenderRequest resolveRequest(@ExchangeProperty("alertApi") String api, @ExchangeProperty("event") ThreatEvent event,
                                          @ExchangeProperty("alertId") String alertId) {
        return of(api).resolveRequest(event, alertId);
    }

    public DefenderRequest lookupRequest(@ExchangeProperty("pending") PendingCreate pending) {
        return of(pending.api()).lookupRequest(pending);
    }

    /** The API the unanswered create went to: the alert the look-up finds is on it. */
    public String pendingApi(@ExchangeProperty("pending") PendingCreate pending) {
        return pending.api();
    }

    public String matchingAlert(@Body String body, @ExchangeProperty("event") ThreatEvent event,
                                @ExchangeProperty("pending") PendingCreate pending) {
        return of(pending.api()).matchingAlert(body, event, pending);
    }

    private AlertApi of(String api) {
        AlertApi alertApi = api == null ? null : apis.get(Integration.Api.valueOf(api));
        if (alertApi == null) {
            throw new IllegalStateException("no alert API '" + api + "'");
        }
        return alertApi;
    }
}
