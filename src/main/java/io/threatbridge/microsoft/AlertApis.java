package io.threatbridge.microsoft;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.store.PendingCreate;

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

    public DefenderRequest createRequest(String api, ThreatEvent event,
                                         Anchor anchor) {
        return of(api).createRequest(event, anchor);
    }

    public DefenderRequest resolveRequest(String api, ThreatEvent event,
                                          String alertId) {
        return of(api).resolveRequest(event, alertId);
    }

    public DefenderRequest lookupRequest(PendingCreate pending) {
        return of(pending.api()).lookupRequest(pending);
    }

    /** The API the unanswered create went to: the alert the look-up finds is on it. */
    public String pendingApi(PendingCreate pending) {
        return pending.api();
    }

    public String matchingAlert(String body, ThreatEvent event,
                                PendingCreate pending) {
        return of(pending.api()).matchingAlert(body, event, pending);
    }

    /** Pages a look-up follows at the most: an unanswered create's alert is among the newest. */
    static final int MAX_LOOKUP_PAGES = 20;

    /**
     * The request for the next page of a look-up's answer (alertsPage) when it names one
     * (@odata.nextLink), or null. The link must stay on the API's own host (checked when it is
     * sent): the call carries the tenant's token.
     */
    public DefenderRequest nextPage(String page, PendingCreate pending,
                                    Integer index) {
        String next = AlertText.nextLink(page);
        if (next == null || index != null && index + 1 >= MAX_LOOKUP_PAGES) {
            return null;
        }
        DefenderRequest first = of(pending.api()).lookupRequest(pending);
        return new DefenderRequest(first.service(), DefenderRequest.Operation.lookup, "GET", next, null);
    }

    private AlertApi of(String api) {
        AlertApi alertApi = api == null ? null : apis.get(Integration.Api.valueOf(api));
        if (alertApi == null) {
            throw new IllegalStateException("no alert API '" + api + "'");
        }
        return alertApi;
    }
}
