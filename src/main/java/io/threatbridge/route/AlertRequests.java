package io.threatbridge.route;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.microsoft.AlertApis;
import io.threatbridge.microsoft.Anchor;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.store.PendingCreate;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/** routes/delivery, bean "alerts": the requests of the alert API the alert is on (alertApi), and what their answers say. */
public record AlertRequests(AlertApis apis) {

    public DefenderRequest createRequest(@ExchangeProperty("alertApi") String api, @ExchangeProperty("event") ThreatEvent event,
                                         @ExchangeProperty("anchor") Anchor anchor) {
        return apis.createRequest(api, event, anchor);
    }

    public DefenderRequest resolveRequest(@ExchangeProperty("alertApi") String api, @ExchangeProperty("event") ThreatEvent event,
                                          @ExchangeProperty("alertId") String alertId) {
        return apis.resolveRequest(api, event, alertId);
    }

    /** The alerts made on the pending create's API since it went out. */
    public DefenderRequest lookupRequest(@ExchangeProperty("pending") PendingCreate pending) {
        return apis.lookupRequest(pending);
    }

    /** The API the unanswered create went to: the alert the look-up finds is on it. */
    public String pendingApi(@ExchangeProperty("pending") PendingCreate pending) {
        return apis.pendingApi(pending);
    }

    /** The id of the alert in this page whose text is this event's, or null. */
    public String matchingAlert(@Body String page, @ExchangeProperty("event") ThreatEvent event,
                                @ExchangeProperty("pending") PendingCreate pending) {
        return apis.matchingAlert(page, event, pending);
    }

    /** The request for the next page of the look-up (alertsPage), or null at the last page or the page limit. */
    public DefenderRequest nextPage(@ExchangeProperty("alertsPage") String page, @ExchangeProperty("pending") PendingCreate pending,
                                    @ExchangeProperty(Exchange.LOOP_INDEX) Integer index) {
        return apis.nextPage(page, pending, index);
    }
}
