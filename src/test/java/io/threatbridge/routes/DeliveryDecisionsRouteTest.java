package io.threatbridge.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.routes.MicrosoftReplies.Call;
import io.threatbridge.routes.MicrosoftReplies.Reply;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery decision table of routes/delivery.camel.yaml (README "How an event flows"), route by route,
 * with Microsoft as a mock whose replies each test sets: what the store knows (done, an alert for the
 * threat, a pending create) decides whether a call is made at all; `api` and the device's anchor
 * decide which API makes the alert. Each integration belongs to one test.
 */
class DeliveryDecisionsRouteTest extends RouteTestSupport {

    static final String DEFENDER = "https://api.security.microsoft.com";
    static final String CREATE_BY_REFERENCE = DEFENDER + "/api/alerts/CreateAlertByReference";
    static final String HUNTING = "https://graph.microsoft.com/v1.0/security/runHuntingQuery";
    static final String GRAPH_ALERTS = "https://graph.microsoft.com/beta/security/alerts_v2";
    static final String MACHINE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String integrations() {
        return "integrations:\n" + integration("done", "auto") + integration("alerted", "auto") + integration("anchored", "auto")
                + integration("unmanaged", "auto") + integration("strict", "endpoint") + integration("byod", "graph")
                + integration("resolve-endpoint", "auto") + integration("resolve-graph", "graph") + integration("resolve-first", "auto")
                + integration("inflight", "auto") + integration("settled", "auto") + integration("settled-none", "graph");
    }

    /** Advanced hunting's answer (Graph runHuntingQuery: schema and results) holding the sample machine's latest DeviceInfo event. */
    static Reply anchor(String timestamp, long reportId) {
        return Reply.json(200, "{\"schema\":[{\"Name\":\"Timestamp\",\"Type\":\"DateTime\"},{\"Name\":\"DeviceId\",\"Type\":\"String\"},"
                + "{\"Name\":\"ReportId\",\"Type\":\"Int64\"}],\"results\":[{\"Timestamp\":\"" + timestamp + "\",\"DeviceId\":\"" + MACHINE
                + "\",\"ReportId\":" + reportId + "}]}");
    }

    /** Advanced hunting's answer when Defender holds no event of the machine: no row. */
    static Reply noAnchor() {
        return Reply.json(200, "{\"schema\":[],\"results\":[]}");
    }

    static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    static void assertHandled(Exchange exchange) {
        assertNull(exchange.getException(), "handled, so the lanes commit: " + exchange.getException());
        assertFalse(exchange.isRollbackOnly());
    }

    @Test
    void anEventAlreadyDoneIsAcknowledgedAndNothingIsSent() throws Exception {
        beans.store().markDone("done", "acct-done", "done-1", "created", "da-done");
        microsoftMock.expectedMessageCount(0);
        retryLater.expectedMessageCount(0);
        deadLetter.expectedMessageCount(0);

        Exchange exchange = deliver("done", event("done", "done-1", "thr-done", "ACTIVE"));

        assertHandled(exchange);
        assertTrue((Boolean) exchange.getProperty("done"));
        microsoftMock.assertIsSatisfied();
        retryLater.assertIsSatisfied();
        deadLetter.assertIsSatisfied();
    }

    @Test
    void anActiveEventOfAThreatWithAnAlertMakesNoSecondAlert() throws Exception {
        beans.store().saveAlert("alerted", "acct-alerted", "thr-alerted", "da-first", "alerted-0", "endpoint");
        microsoftMock.expectedMessageCount(0);

        Exchange exchange = deliver("alerted", event("alerted", "alerted-1", "thr-alerted", "ACTIVE"));

        assertHandled(exchange);
        assertEquals("already-alerted", exchange.getProperty("outcome"));
        microsoftMock.assertIsSatisfied();
        assertTrue(beans.store().isDone("alerted", "alerted-1"), "the event is finished");
        assertEquals("da-first", beans.store().alertId("alerted", "thr-alerted"));
    }

    @Test
    void autoCreatesOnTheDevicesAnchorWithOnlyTheHeadersMicrosoftNeeds() throws Exception {
        // hunting finds the machine's latest event; CreateAlertByReference names it by machineId, eventTime and reportId
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00.1234567Z", 77));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.json(200, "{\"id\":\"da-anchored-1\"}"), Reply.json(200, "{\"id\":\"da-anchored-2\"}"));
        microsoftMock.expectedMessageCount(3);

        Exchange exchange = deliver("anchored", event("anchored", "anchored-1", "thr-anchored-1", "ACTIVE"));

        assertHandled(exchange);
        assertEquals("created", exchange.getProperty("outcome"));
        List<Call> creates = microsoft.calls("POST", CREATE_BY_REFERENCE);
        assertEquals(1, creates.size());
        JsonNode body = json(creates.get(0).body());
        assertEquals(MACHINE, body.get("machineId").asText());
        assertEquals("2026-11-27T09:00:00.1234567Z", body.get("eventTime").asText(), "the anchor's time exactly as hunting gave it");
        assertEquals("77", body.get("reportId").asText());
        for (Call call : microsoft.calls()) {
            // camel-http sends every header but Camel's own (CamelHttpMethod, CamelHttpUri, CamelRedelivery*)
            Set<String> sent = new TreeSet<>();
            call.headers().keySet().stream().filter(name -> !name.startsWith("Camel")).forEach(sent::add);
            assertEquals(Set.of("Authorization", "Content-Type"), sent, "no JMS or bridge header reaches Microsoft");
            assertTrue(call.authorization().startsWith("Bearer stub-token-"), call.authorization());
        }
        assertEquals("da-anchored-1", beans.store().alertId("anchored", "thr-anchored-1"));
        assertEquals("endpoint", beans.store().alertApi("anchored", "thr-anchored-1"));

        // the anchor is remembered: the device's next threat asks hunting nothing
        assertHandled(deliver("anchored", event("anchored", "anchored-2", "thr-anchored-2", "ACTIVE")));
        microsoftMock.assertIsSatisfied();
        assertEquals(1, microsoft.calls("POST", HUNTING).size());
        assertEquals("da-anchored-2", beans.store().alertId("anchored", "thr-anchored-2"));
    }

    @Test
    void autoWithoutAnAnchorCreatesTheAlertOnGraph() throws Exception {
        // Defender holds no event of the machine (an unmanaged phone): Graph createAlert, 201 with the alert
        microsoft.on("POST", HUNTING, noAnchor());
        microsoft.on("POST", GRAPH_ALERTS + "/createAlert", Reply.json(201, "{\"id\":\"ga-unmanaged\"}"));

        Exchange exchange = deliver("unmanaged", event("unmanaged", "unmanaged-1", "thr-unmanaged", "ACTIVE"));

        assertHandled(exchange);
        assertEquals(List.of("POST " + HUNTING, "POST " + GRAPH_ALERTS + "/createAlert"),
                microsoft.calls().stream().map(c -> c.method() + " " + c.url()).toList());
        assertEquals("ga-unmanaged", beans.store().alertId("unmanaged", "thr-unmanaged"));
        assertEquals("graph", beans.store().alertApi("unmanaged", "thr-unmanaged"));
    }

    @Test
    void endpointWithoutAnAnchorIsADeadLetterNamingTheMachine() throws Exception {
        microsoft.on("POST", HUNTING, noAnchor());
        deadLetter.expectedMessageCount(1);
        String body = event("strict", "strict-1", "thr-strict", "ACTIVE").toString();
        deadLetter.expectedBodiesReceived(body);
        deadLetter.expectedHeaderReceived("bridgeIntegration", "strict");
        deadLetter.expectedHeaderReceived("bridgeEventId", "strict-1");
        deadLetter.expectedHeaderReceived("bridgeError", "no anchor: Defender holds no event of machine " + MACHINE
                + " in the last 30 days, and api: endpoint never falls back to Graph");

        assertHandled(deliver("strict", body, null));

        deadLetter.assertIsSatisfied();
        assertNull(deadLetter.getExchanges().get(0).getMessage().getHeader("bridgeHttpStatus"), "no Microsoft answer refused it");
        assertEquals(0, microsoft.calls("POST", CREATE_BY_REFERENCE).size() + microsoft.calls("POST", GRAPH_ALERTS).size());
    }

    @Test
    void graphAsksHuntingNothingAndCreatesOnGraph() throws Exception {
        microsoft.on("POST", GRAPH_ALERTS + "/createAlert", Reply.json(201, "{\"id\":\"ga-byod\"}"));

        assertHandled(deliver("byod", event("byod", "byod-1", "thr-byod", "ACTIVE")));

        assertEquals(List.of("POST " + GRAPH_ALERTS + "/createAlert"), microsoft.calls().stream().map(c -> c.method() + " " + c.url()).toList());
        assertEquals("graph", beans.store().alertApi("byod", "thr-byod"));
    }

    @Test
    void aResolvedEventPatchesItsAlertOnDefenderForEndpoint() throws Exception {
        beans.store().saveAlert("resolve-endpoint", "acct-resolve-endpoint", "thr-re", "da-re", "re-0", "endpoint");
        microsoft.on("PATCH", DEFENDER + "/api/alerts/da-re", Reply.json(200, "{\"id\":\"da-re\",\"status\":\"Resolved\"}"));

        Exchange exchange = deliver("resolve-endpoint", event("resolve-endpoint", "re-1", "thr-re", "RESOLVED"));

        assertHandled(exchange);
        assertEquals("resolved", exchange.getProperty("outcome"));
        List<Call> calls = microsoft.calls();
        assertEquals(1, calls.size(), "the PATCH alone: " + calls);
        assertEquals("Resolved", json(calls.get(0).body()).get("status").asText());
        assertTrue(beans.store().isDone("resolve-endpoint", "re-1"));
        assertEquals("Resolved", io.threatbridge.store.TestStores.alertStatus(beans.store(), "thr-re"), "the store knows the alert is resolved (retention keeps open ones)");
    }

    @Test
    void aResolvedEventPatchesItsAlertOnGraphWhichMayAnswerWithNoBody() throws Exception {
        beans.store().saveAlert("resolve-graph", "acct-resolve-graph", "thr-rg", "ga-rg", "rg-0", "graph");
        // Graph's PATCH alert answers 204 No Content
        microsoft.on("PATCH", GRAPH_ALERTS + "/ga-rg", new Reply(204, null, java.util.Map.of()));

        Exchange exchange = deliver("resolve-graph", event("resolve-graph", "rg-1", "thr-rg", "RESOLVED"));

        assertHandled(exchange);
        assertEquals("resolved", exchange.getProperty("outcome"));
        assertEquals(1, microsoft.calls().size());
        assertEquals("resolved", json(microsoft.calls().get(0).body()).get("status").asText());
    }

    @Test
    void aResolvedEventOfAThreatNeverSeenActiveIsCreatedThenResolved() throws Exception {
        microsoft.on("POST", HUNTING, anchor("2026-11-27T09:00:00Z", 5));
        microsoft.on("POST", CREATE_BY_REFERENCE, Reply.json(200, "{\"id\":\"da-rf\"}"));
        microsoft.on("PATCH", DEFENDER + "/api/alerts/da-rf", Reply.json(200, "{\"id\":\"da-rf\"}"));

        Exchange exchange = deliver("resolve-first", event("resolve-first", "rf-1", "thr-rf", "RESOLVED"));

        assertHandled(exchange);
        assertEquals("resolved", exchange.getProperty("outcome"));
        assertEquals(List.of("POST " + HUNTING, "POST " + CREATE_BY_REFERENCE, "PATCH " + DEFENDER + "/api/alerts/da-rf"),
                microsoft.calls().stream().map(c -> c.method() + " " + c.url()).toList());
        assertEquals("da-rf", beans.store().alertId("resolve-first", "thr-rf"));
        assertEquals("Resolved", io.threatbridge.store.TestStores.alertStatus(beans.store(), "thr-rf"));
    }

    @Test
    void aCreateThatMayStillBeAnsweredIsNeitherRepeatedNorLookedUpYet() throws Exception {
        // another instance sent this create a moment ago (its pending row); its answer may still come
        beans.store().beginCreate("inflight", "acct-inflight", "thr-inflight", "inflight-0", "endpoint");
        long sentAt = System.currentTimeMillis();
        microsoftMock.expectedMessageCount(0);
        retryLater.expectedMessageCount(1);
        retryLater.expectedHeaderReceived("bridgeAttempt", 1);

        assertHandled(deliver("inflight", event("inflight", "inflight-1", "thr-inflight", "ACTIVE")));

        microsoftMock.assertIsSatisfied();
        retryLater.assertIsSatisfied();
        long due = retryLater.getExchanges().get(0).getMessage().getHeader("_AMQ_SCHED_DELIVERY", Long.class);
        // bridge.http.connect-timeout-ms + response-timeout-ms (10 s + 30 s) and 2 s for the clocks
        assertTrue(due >= sentAt + 42_000 - 1000 && due <= System.currentTimeMillis() + 42_000, "due " + (due - sentAt) + " ms after the create");
        assertFalse(beans.store().isDone("inflight", "inflight-1"));
    }

    @Test
    void anUnansweredCreateIsSettledByLookingItsAlertUpNotByCreatingAgain() throws Exception {
        sentLongAgo("settled", "acct-settled", "thr-settled", "settled-0", "endpoint");
        // the alert list since the create went out: another alert of the device, and the one it made
        microsoft.on("GET", DEFENDER + "/api/alerts?$filter=", Reply.json(200, "{\"value\":["
                + "{\"id\":\"da-other\",\"machineId\":\"" + MACHINE + "\",\"description\":\"Event id: someone-else\"},"
                + "{\"id\":\"da-settled\",\"machineId\":\"" + MACHINE + "\",\"description\":\"Event id: settled-0\\nMobile threat\"}]}"));

        Exchange exchange = deliver("settled", event("settled", "settled-1", "thr-settled", "ACTIVE"));

        assertHandled(exchange);
        assertEquals("found-after-unanswered-create", exchange.getProperty("outcome"));
        assertEquals(1, microsoft.calls().size(), "the look-up alone, no create: " + microsoft.calls());
        assertTrue(microsoft.calls().get(0).url().contains("alertCreationTime%20ge%20"), microsoft.calls().get(0).url());
        assertEquals("da-settled", beans.store().alertId("settled", "thr-settled"));
    }

    @Test
    void anUnansweredCreateThatMadeNoAlertIsSentAgain() throws Exception {
        sentLongAgo("settled-none", "acct-settled-none", "thr-sn", "sn-0", "graph");
        microsoft.on("GET", GRAPH_ALERTS + "?$filter=", Reply.json(200, "{\"value\":[]}"));
        microsoft.on("POST", GRAPH_ALERTS + "/createAlert", Reply.json(201, "{\"id\":\"ga-sn\"}"));

        Exchange exchange = deliver("settled-none", event("settled-none", "sn-1", "thr-sn", "ACTIVE"));

        assertHandled(exchange);
        assertEquals(List.of("GET", "POST"), microsoft.calls().stream().map(Call::method).toList());
        assertEquals("ga-sn", beans.store().alertId("settled-none", "thr-sn"));
    }

    /** A pending create sent a minute ago, long past its time-outs: no route step makes one, so it is written to the store. */
    private void sentLongAgo(String integration, String account, String threatId, String eventId, String api) throws Exception {
        beans.store().beginCreate(integration, account, threatId, eventId, api);
        try (Connection connection = beans.storeConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE pending_create SET started_at = ? WHERE integration = ? AND threat_id = ?")) {
            update.setTimestamp(1, Timestamp.from(Instant.now().minus(Duration.ofMinutes(1))));
            update.setString(2, integration);
            update.setString(3, threatId);
            assertEquals(1, update.executeUpdate());
        }
    }
}
