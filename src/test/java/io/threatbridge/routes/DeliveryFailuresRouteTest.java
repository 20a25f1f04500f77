package io.threatbridge.routes;

import io.threatbridge.routes.MicrosoftReplies.Call;
import io.threatbridge.routes.MicrosoftReplies.Reply;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static io.threatbridge.routes.DeliveryDecisionsRouteTest.CREATE_BY_REFERENCE;
import static io.threatbridge.routes.DeliveryDecisionsRouteTest.HUNTING;
import static io.threatbridge.routes.DeliveryDecisionsRouteTest.anchor;
import static io.threatbridge.routes.DeliveryDecisionsRouteTest.assertHandled;
import static io.threatbridge.routes.DeliveryDecisionsRouteTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a failed call leads to (routes/error-handling.camel.yaml, "delivery-error-handling"), each case
 * Microsoft's rule for the status it stands for: a retry due later on the event's own queue
 * (mock:retry-later), the dead-letter queue (mock:dead-letter), or one more try at once.
 */
class DeliveryFailuresRouteTest extends RouteTestSupport {

    @Override
    protected String integrations() {
        return "integrations:\n" + integration("gone", "auto") + integration("gone-twice", "auto") + integration("expired", "auto")
                + integration("refused", "auto") + integration("throttled", "auto") + integration("outage", "auto")
                + integration("outage-last", "auto") + integration("bad", "auto") + integration("forbidden", "auto")
                + integration("uncertain", "auto");
    }

    @Test
    void aCreateOnAnAnchorDefenderNoLongerHoldsIsTriedOnceMoreOnAFreshAnchor() throws Exception {
        // CreateAlertByReference answers 404 when Defender no longer holds the event it names
        microsoft.on("POST", HUNTING, anchor("2026-11-20T08:00:00Z", 1), anchor("2026-11-27T09:00:00Z", 2));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(404, "NotFound", "event not found"), Reply.json(200, "{\"id\":\"da-gone\"}"));

        Exchange exchange = deliver("gone", event("gone", "gone-1", "thr-gone", "ACTIVE"));

        assertHandled(exchange);
        List<Call> creates = microsoft.calls("POST", CREATE_BY_REFERENCE);
        assertEquals(2, microsoft.calls("POST", HUNTING).size(), "hunting asked again, once");
        assertEquals(2, creates.size());
        assertEquals("1", json(creates.get(0).body()).get("reportId").asText());
        assertEquals("2", json(creates.get(1).body()).get("reportId").asText(), "the second create names the fresh anchor");
        assertEquals("da-gone", beans.store().alertId("gone", "thr-gone"));
    }

    @Test
    void aSecond404IsADeadLetter() throws Exception {
        microsoft.on("POST", HUNTING, anchor("2026-11-20T08:00:00Z", 1));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(404, "NotFound", "event not found"));
        expectOneDeadLetter(404, "gone-twice");

        assertHandled(deliver("gone-twice", event("gone-twice", "gt-1", "thr-gt", "ACTIVE")));

        deadLetter.assertIsSatisfied();
        String error = deadLetter.getExchanges().get(0).getMessage().getHeader("bridgeError", String.class);
        assertTrue(error.startsWith("Defender answered 404: NotFound event not found (the anchor event of machine "), error);
        assertEquals(2, microsoft.calls("POST", CREATE_BY_REFERENCE).size(), "one fresh anchor, once");
        assertFalse(beans.store().isDone("gone-twice", "gt-1"));
    }

    @Test
    void aRefusedTokenIsRenewedOnceAndTheCallRetriedWithIt() throws Exception {
        // 401: the token expired or was revoked; Azure AD gives a new one
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 3));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(401, "Unauthorized", "token expired"), Reply.json(200, "{\"id\":\"da-expired\"}"));

        Exchange exchange = deliver("expired", event("expired", "expired-1", "thr-expired", "ACTIVE"));

        assertHandled(exchange);
        List<Call> creates = microsoft.calls("POST", CREATE_BY_REFERENCE);
        assertEquals(2, creates.size());
        assertNotEquals(creates.get(0).authorization(), creates.get(1).authorization(), "the retry carries the new token");
        assertEquals(2, beans.tokens().issued("tenant-expired", "defender"), "one token, then one fresh token");
        assertEquals(1, beans.tokens().issued("tenant-expired", "hunting"), "hunting's token was not refused");
        assertEquals("da-expired", beans.store().alertId("expired", "thr-expired"));
    }

    @Test
    void aTokenRefusedTwiceIsADeadLetter() throws Exception {
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 3));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(401, "Unauthorized", "consent revoked"));
        deadLetter.expectedMessageCount(1);
        deadLetter.expectedHeaderReceived("bridgeHttpStatus", 401);
        deadLetter.expectedHeaderReceived("bridgeError",
                "Defender answered 401: Unauthorized consent revoked (token refused for tenant tenant-refused)");

        assertHandled(deliver("refused", event("refused", "refused-1", "thr-refused", "ACTIVE")));

        deadLetter.assertIsSatisfied();
        assertEquals(2, microsoft.calls("POST", CREATE_BY_REFERENCE).size(), "a new token once, not again");
    }

    @Test
    void aThrottledCallGoesBackOnTheQueueDueAtRetryAfterAndClosesTheTenantsGate() throws Exception {
        // 429 Too Many Requests with Retry-After in seconds: no call to the tenant before then
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 4));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(429, "TooManyRequests", "slow down").withHeader("Retry-After", "120"));
        retryLater.expectedMessageCount(1);
        String body = event("throttled", "throttled-1", "thr-throttled", "ACTIVE").toString();
        retryLater.expectedBodiesReceived(body);
        // not a failed attempt: the attempt count stays
        retryLater.expectedHeaderReceived("bridgeAttempt", 1);
        long before = System.currentTimeMillis();

        assertHandled(deliver("throttled", body, null));

        retryLater.assertIsSatisfied();
        Message retry = retryLater.getExchanges().get(0).getMessage();
        long due = retry.getHeader("_AMQ_SCHED_DELIVERY", Long.class);
        assertTrue(due >= before + 120_000 && due <= System.currentTimeMillis() + 120_000, "due " + (due - before) + " ms later");
        assertEquals(9, retry.getHeader("JMSPriority", Integer.class), "its priority kept");
        assertEquals("throttled:group", retry.getHeader("JMSXGroupID"), "its group kept");
        Instant closed = beans.closedUntil("throttled");
        assertNotNull(closed);
        assertEquals(due, closed.toEpochMilli(), "the lanes leave the tenant alone until then");
        deadLetter.expectedMessageCount(0);
        deadLetter.assertIsSatisfied();
    }

    @Test
    void anOutageIsRetriedOnTheSchedule() throws Exception {
        // 503 Service Unavailable: retried with back-off, the attempt counted
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 5));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(503, "ServiceUnavailable", "try later"));
        retryLater.expectedMessageCount(1);
        retryLater.expectedHeaderReceived("bridgeAttempt", 4);
        long before = System.currentTimeMillis();

        assertHandled(deliver("outage", event("outage", "outage-1", "thr-outage", "ACTIVE").toString(), 3));

        retryLater.assertIsSatisfied();
        long due = retryLater.getExchanges().get(0).getMessage().getHeader("_AMQ_SCHED_DELIVERY", Long.class);
        // bridge.delivery.initial-delay-ms (2 s) doubled after each failed attempt: 8 s after the third
        assertTrue(due >= before + 8_000 && due <= System.currentTimeMillis() + 8_000, "due " + (due - before) + " ms later");
        assertNull(beans.store().alertId("outage", "thr-outage"));
    }

    @Test
    void anOutageOnTheLastAttemptIsADeadLetter() throws Exception {
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 6));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(503, "ServiceUnavailable", "try later"));
        deadLetter.expectedMessageCount(1);
        deadLetter.expectedHeaderReceived("bridgeHttpStatus", 503);
        // bridge.delivery.max-attempts is 12
        deadLetter.expectedHeaderReceived("bridgeError", "gave up after 12 attempts: Defender answered 503: ServiceUnavailable try later");
        retryLater.expectedMessageCount(0);

        assertHandled(deliver("outage-last", event("outage-last", "ol-1", "thr-ol", "ACTIVE").toString(), 12));

        deadLetter.assertIsSatisfied();
        retryLater.assertIsSatisfied();
    }

    @Test
    void aBadRequestIsADeadLetterAfterOneCall() throws Exception {
        // 400: Defender refuses the request itself; the same request would be refused again
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 7));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(400, "BadRequest", "invalid category"));
        String body = event("bad", "bad-1", "thr-bad", "ACTIVE").toString();
        deadLetter.expectedMessageCount(1);
        deadLetter.expectedBodiesReceived(body);
        deadLetter.expectedHeaderReceived("bridgeError", "Defender answered 400: BadRequest invalid category");
        deadLetter.expectedHeaderReceived("bridgeIntegration", "bad");
        deadLetter.expectedHeaderReceived("bridgeHttpStatus", 400);
        deadLetter.expectedHeaderReceived("bridgeEventId", "bad-1");

        assertHandled(deliver("bad", body, null));

        deadLetter.assertIsSatisfied();
        assertEquals(1, microsoft.calls("POST", CREATE_BY_REFERENCE).size());
        for (var header : deadLetter.getExchanges().get(0).getMessage().getHeaders().entrySet()) {
            assertFalse(String.valueOf(header.getValue()).contains("stub-token"), "no token in a dead letter's " + header.getKey());
        }
        assertNull(beans.store().lookUp("bad", "acct-bad", "bad-1", "thr-bad").pending(),
                "a refused create made no alert: no look-up before another try");
    }

    @Test
    void forbiddenIsADeadLetterAfterOneCall() throws Exception {
        // 403: the app lacks the permission (Alert.ReadWrite.All) in the customer's tenant
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 8));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(403, "Forbidden", "missing application role"));
        expectOneDeadLetter(403, "forbidden");

        assertHandled(deliver("forbidden", event("forbidden", "forbidden-1", "thr-forbidden", "ACTIVE")));

        deadLetter.assertIsSatisfied();
        assertEquals(1, microsoft.calls("POST", CREATE_BY_REFERENCE).size());
    }

    @Test
    void aCreateAnswered500MayHaveMadeTheAlertSoItStaysPending() throws Exception {
        // 500 may come after Defender made the alert: the next attempt looks it up rather than create again
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 9));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.error(500, "InternalServerError", "oops"));
        retryLater.expectedMessageCount(1);

        assertHandled(deliver("uncertain", event("uncertain", "uncertain-1", "thr-uncertain", "ACTIVE")));

        retryLater.assertIsSatisfied();
        assertNotNull(beans.store().lookUp("uncertain", "acct-uncertain", "uncertain-1", "thr-uncertain").pending(),
                "the create stays pending");
    }
}
