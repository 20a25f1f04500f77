package io.threatbridge.routes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.routes.MicrosoftReplies.Call;
import io.threatbridge.routes.MicrosoftReplies.Reply;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.Configure;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * routes/sentinel.camel.yaml: the sentinel-delivery template's route of each api: sentinel integration
 * (made by IntegrationRoutes, its timer replaced by direct:deliver-NAME so one exchange is one batch)
 * and sentinel-call, with the Logs Ingestion API as mock:microsoft. A batch takes its events in a JMS
 * session of its own (SentinelBatches), here the in-memory queues of {@link InMemoryQueues}: the
 * events are put on the integration's queue, one exchange delivers them, and what the batch's commit
 * left on the queues (retries, dead letters) is read back.
 */
class SentinelRouteTest extends RouteTestSupport {

    static final String INGESTION = "https://siem-a1b2.westeurope-1.ingest.monitor.azure.com";
    static final String UPLOAD = INGESTION + "/dataCollectionRules/dcr-0123456789abcdef0123456789abcdef/streams/Custom-MobileThreats_CL"
            + "?api-version=2023-01-01";
    private static final List<String> NAMES = List.of("siem", "siem-done", "siem-expired", "siem-throttled", "siem-bad", "siem-down");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemoryQueues queues = new InMemoryQueues();
    private boolean timersReplaced;

    @Override
    protected String integrations() {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (String name : NAMES) {
            yaml.append("  - name: ").append(name).append("\n    tenantId: tenant-").append(name).append("\n    accounts: [acct-").append(name)
                    .append("]\n    filterLevel: NORMAL_AND_ABOVE\n    api: sentinel\n    sentinel:\n      ingestionUrl: ").append(INGESTION)
                    .append("\n      dcrImmutableId: dcr-0123456789abcdef0123456789abcdef\n      stream: Custom-MobileThreats_CL\n");
        }
        return yaml.toString();
    }

    @Override
    protected ConnectionFactory sentinelJms() {
        return queues.connectionFactory();
    }

    /** The integrations' routes wait, unstarted, for their timers to be replaced. */
    @Configure
    void timersNotStarted(MainConfigurationProperties configuration) {
        configuration.withAutoStartupExcludePattern(RouteTestBeans.sentinelRouteId("*"));
    }

    /** Each integration's route: from direct:deliver-NAME instead of its timer (once: the routes are made at start). */
    @BeforeEach
    void replaceTheTimers() throws Exception {
        if (!timersReplaced) {
            for (String name : NAMES) {
                String route = RouteTestBeans.sentinelRouteId(name);
                AdviceWith.adviceWith(context(), route, a -> a.replaceFromWith("direct:deliver-" + name));
                context().getRouteController().startRoute(route);
            }
            timersReplaced = true;
        }
    }

    /** Events of the integration's account on its queue, as ingest puts them there, then one batch delivered. */
    private List<String> deliverBatch(String integration, String... eventIds) {
        List<String> bodies = new ArrayList<>();
        for (String id : eventIds) {
            String body = event(integration, id, "thr-" + id, "ACTIVE").toString();
            bodies.add(body);
            queues.put("defender.out." + integration, InMemoryQueues.text(body, Map.of("bridgeIntegration", integration,
                    "JMSXGroupID", integration + ":thr-" + id, "bridgeReceivedAt", System.currentTimeMillis())));
        }
        template.sendBody("direct:deliver-" + integration, null);
        return bodies;
    }

    private static JsonNode rows(Call call) throws Exception {
        return JSON.readTree(call.body());
    }

    @Test
    void aBatchGoesInOneCallAndIsAcknowledgedOnceItIsAnswered() throws Exception {
        // the Logs Ingestion API answers 204 No Content when it took the rows
        microsoft.on("POST", UPLOAD, new Reply(204, null, Map.of()));

        deliverBatch("siem", "s-1", "s-2", "s-3");

        List<Call> calls = microsoft.calls("POST", UPLOAD);
        assertEquals(1, calls.size());
        JsonNode rows = rows(calls.get(0));
        assertEquals(3, rows.size(), "one JSON array of the batch's rows");
        assertEquals(List.of("s-1", "s-2", "s-3"), List.of(rows.get(0).get("EventId").asText(), rows.get(1).get("EventId").asText(),
                rows.get(2).get("EventId").asText()));
        assertEquals("siem", rows.get(0).get("Integration").asText());
        assertTrue(calls.get(0).authorization().startsWith("Bearer stub-token-"));
        assertEquals(1, beans.tokens().issued("tenant-siem", "sentinel"), "a token for the monitor.azure.com scope");
        assertEquals(List.of(), queues.messages("defender.out.siem"), "the commit acknowledged the batch");
        for (String id : List.of("s-1", "s-2", "s-3")) {
            assertTrue(beans.store().isDone("siem", id), id);
        }
    }

    @Test
    void anEventDoneBeforeIsNotSentAgain() throws Exception {
        beans.store().markDone("siem-done", "acct-siem-done", "d-1", "ingested", null);
        microsoft.on("POST", UPLOAD, new Reply(204, null, Map.of()));

        deliverBatch("siem-done", "d-1", "d-2");

        List<Call> calls = microsoft.calls("POST", UPLOAD);
        assertEquals(1, calls.size());
        assertEquals(1, rows(calls.get(0)).size());
        assertEquals("d-2", rows(calls.get(0)).get(0).get("EventId").asText());
        assertEquals(List.of(), queues.messages("defender.out.siem-done"));
    }

    @Test
    void aRefusedTokenIsRenewedOnceForTheSameCall() throws Exception {
        // 401: the token expired or the grant was revoked; Azure AD gives a new one
        microsoft.on("POST", UPLOAD, Reply.error(401, "InvalidToken", "token expired"), new Reply(204, null, Map.of()));

        deliverBatch("siem-expired", "x-1");

        List<Call> calls = microsoft.calls("POST", UPLOAD);
        assertEquals(2, calls.size());
        assertNotEquals(calls.get(0).authorization(), calls.get(1).authorization(), "the same call with the new token");
        assertEquals(2, beans.tokens().issued("tenant-siem-expired", "sentinel"));
        assertTrue(beans.store().isDone("siem-expired", "x-1"));
    }

    @Test
    void aThrottledBatchGoesBackOnItsQueueDueAtRetryAfter() throws Exception {
        // 429 with Retry-After in seconds: no call to the tenant before then, the attempt not counted
        microsoft.on("POST", UPLOAD, Reply.error(429, "TooManyRequests", "slow down").withHeader("Retry-After", "60"));
        long before = System.currentTimeMillis();

        List<String> bodies = deliverBatch("siem-throttled", "t-1", "t-2");

        List<Message> back = queues.messages("defender.out.siem-throttled");
        assertEquals(bodies, back.stream().map(InMemoryQueues::body).toList(), "both events back, as they came");
        for (Message message : back) {
            long due = message.getLongProperty("_AMQ_SCHED_DELIVERY");
            assertTrue(due >= before + 60_000 && due <= System.currentTimeMillis() + 60_000, "due " + (due - before) + " ms later");
            assertEquals(1, message.getIntProperty("bridgeAttempt"));
        }
        assertNotNull(beans.closedUntil("siem-throttled"), "the tenant's gate is closed");
        assertEquals(List.of(), queues.messages("threats.dlq"));
    }

    @Test
    void aRefusedCallOfSeveralRowsSendsEachAloneAndDeadLettersOnlyTheBadOne() throws Exception {
        // 400: the API refuses a call when one row does not fit the stream's columns; which one, it does not say
        microsoft.on("POST", UPLOAD, Reply.error(400, "InvalidStream", "a row does not match"), new Reply(204, null, Map.of()),
                Reply.error(400, "InvalidStream", "a row does not match"));

        List<String> bodies = deliverBatch("siem-bad", "b-1", "b-2");

        List<Call> calls = microsoft.calls("POST", UPLOAD);
        assertEquals(List.of(2, 1, 1), calls.stream().map(call -> {
            try {
                return rows(call).size();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList(), "the call of two, then each row alone");
        assertTrue(beans.store().isDone("siem-bad", "b-1"));
        List<Message> dead = queues.messages("threats.dlq").stream()
                .filter(m -> {
                    try {
                        return "siem-bad".equals(m.getStringProperty("bridgeIntegration"));
                    } catch (jakarta.jms.JMSException e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
        assertEquals(1, dead.size());
        assertEquals(bodies.get(1), InMemoryQueues.body(dead.get(0)), "the original body");
        assertEquals("b-2", dead.get(0).getStringProperty("bridgeEventId"));
        assertEquals(400, dead.get(0).getIntProperty("bridgeHttpStatus"));
        assertEquals("Sentinel answered 400: InvalidStream a row does not match", dead.get(0).getStringProperty("bridgeError"));
        assertEquals(List.of(), queues.messages("defender.out.siem-bad"));
    }

    @Test
    void anOutageSendsTheBatchBackWithBackOffAndAnAttemptMore() throws Exception {
        // 503: the service is unavailable; tried again later
        microsoft.on("POST", UPLOAD, Reply.error(503, "ServiceUnavailable", "try later"));
        long before = System.currentTimeMillis();

        deliverBatch("siem-down", "o-1");

        List<Message> back = queues.messages("defender.out.siem-down");
        assertEquals(1, back.size());
        assertEquals(2, back.get(0).getIntProperty("bridgeAttempt"));
        long due = back.get(0).getLongProperty("_AMQ_SCHED_DELIVERY");
        // bridge.delivery.initial-delay-ms after the first attempt
        assertTrue(due >= before + 2_000 && due <= System.currentTimeMillis() + 2_000, "due " + (due - before) + " ms later");
    }
}
