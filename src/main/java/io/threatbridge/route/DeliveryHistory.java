package io.threatbridge.route;

import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.store.DeliveryState;
import io.threatbridge.store.DeliveryStore;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/**
 * routes/delivery: what the store knows of an event and its threat, and what the delivery tells it.
 * The store is what makes each call happen once: a second copy of an event sends nothing, a threat
 * never gets a second alert, and a create whose answer was lost is looked up, not sent again.
 */
public record DeliveryHistory(DeliveryStore store) {

    /** done, alertId, alertApi and pending (a create sent without its answer recorded), in one statement. */
    public void recall(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                       @ExchangeProperty("eventId") String eventId, @ExchangeProperty("threatId") String threatId, Exchange exchange) {
        DeliveryState state = store.lookUp(integration, account, eventId, threatId);
        exchange.setProperty("done", state.done());
        exchange.setProperty("alertId", state.alertId());
        exchange.setProperty("alertApi", state.alertApi());
        exchange.setProperty("pending", state.pending());
    }

    /** The event is finished, with its outcome and alert. */
    public void markDone(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                         @ExchangeProperty("eventId") String eventId, @ExchangeProperty("outcome") String outcome,
                         @ExchangeProperty("alertId") String alertId) {
        store.markDone(integration, account, eventId, outcome, alertId);
    }

    /** A create goes out now, to alertApi: until its answer is recorded, the next attempt asks that API instead of sending it again. */
    public void beginCreate(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                            @ExchangeProperty("threatId") String threatId, @ExchangeProperty("eventId") String eventId,
                            @ExchangeProperty("alertApi") String api) {
        store.beginCreate(integration, account, threatId, eventId, api);
    }

    /** A refused create (an answer that proves no alert was made, DefenderReply): nothing to look up before the next try. */
    public void endRefusedCreate(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                                 @ExchangeProperty("threatId") String threatId, @Header(Exchange.HTTP_RESPONSE_CODE) int status) {
        if (DefenderReply.provesNoAlert(status)) {
            store.endCreate(integration, account, threatId);
        }
    }

    /** The alert (alertId on alertApi) and the end of its pending create, in one transaction. */
    public void recordCreated(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                              @ExchangeProperty("threatId") String threatId, @ExchangeProperty("alertId") String alertId,
                              @ExchangeProperty("eventId") String eventId, @ExchangeProperty("alertApi") String api) {
        store.recordCreated(integration, account, threatId, alertId, eventId, api);
    }

    /** The alert a create made (or found), the end of its pending create and the event done, in one transaction. */
    public void recordCreatedAndDone(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                                     @ExchangeProperty("threatId") String threatId, @ExchangeProperty("alertId") String alertId,
                                     @ExchangeProperty("eventId") String eventId, @ExchangeProperty("alertApi") String api,
                                     @ExchangeProperty("outcome") String outcome) {
        store.recordCreatedAndDone(integration, account, threatId, alertId, eventId, api, outcome);
    }

    /** The threat's alert resolved and the event done, in one transaction. */
    public void markResolvedAndDone(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("accountId") String account,
                                    @ExchangeProperty("threatId") String threatId, @ExchangeProperty("eventId") String eventId,
                                    @ExchangeProperty("outcome") String outcome, @ExchangeProperty("alertId") String alertId) {
        store.markResolvedAndDone(integration, account, threatId, eventId, outcome, alertId);
    }
}
