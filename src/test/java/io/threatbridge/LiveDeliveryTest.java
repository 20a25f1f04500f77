package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.microsoft.EndpointAlerts;
import io.threatbridge.event.EventValidator;
import jakarta.jms.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live delivery (interface.md section 5) through real msal4j and real HTTPS to WireMock fakes of
 * Azure AD and Defender, with the embedded broker and the H2 store.
 */
class LiveDeliveryTest {

    @TempDir
    static Path dir;
    static FakeMicrosoft microsoft;
    static BridgeHarness bridge;
    static LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        log = new LogCapture();
        microsoft = new FakeMicrosoft();
        String base = microsoft.baseUrl();
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (String name : List.of("rt", "lost", "breaker", "flaky", "down", "bad", "forbidden", "expired", "slow", "fast", "bulk", "inflight")) {
            yaml.append(FakeMicrosoft.integration(name, "tenant-" + name, "acct-" + name, base + "/" + name));
        }
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.delivery.max-attempts", "4");
        settings.put("bridge.delivery.initial-delay-ms", "200");
        settings.put("bridge.delivery.max-delay-ms", "1000");
        settings.put("bridge.http.response-timeout-ms", "1500");
        settings.put("bridge.http.connect-timeout-ms", "1000");
        settings.put("bridge.defender.create-per-minute", "0"); // pacing has a test of its own
        microsoft.rules.withoutQuotas();
        bridge = BridgeHarness.start(dir, yaml.toString(), settings);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            bridge.close();
            String output = log.text();
            assertFalse(output.isEmpty());
            assertFalse(output.contains(FakeMicrosoft.CLIENT_SECRET), "the client secret is never logged");
            List<String> tokens = issuedTokens();
            assertFalse(tokens.isEmpty());
            for (String token : tokens) {
                assertFalse(output.contains(token), "an issued token is never logged");
            }
        } finally {
            log.close();
            microsoft.close();
        }
    }

    static List<String> issuedTokens() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> tokens = new java.util.ArrayList<>();
        for (ServeEvent event : microsoft.server.getAllServeEvents()) {
            if (event.getRequest().getUrl().endsWith("/oauth2/v2.0/token")) {
                tokens.add(json.readTree(event.getResponse().getBodyAsString()).get("access_token").asText());
            }
        }
        return tokens;
    }

    private static String event(String id, String integration, String threat, String status) {
        return Events.event(id, "acct-" + integration, threat, "CRITICAL", status).toString();
    }

    @Test
    void createThenResolveCarriesTheAlertIdAndOnlyTheHeadersDefenderNeeds() throws Exception {
        microsoft.acceptAlerts("/rt");
        String active = event("rt-1", "rt", "thr-rt", "ACTIVE");
        bridge.send(active);
        await().until(() -> bridge.store().isDone("rt", "rt-1"));
        LoggedRequest create = microsoft.creates("/rt").get(0);
        assertTrue(create.getHeader("Authorization").startsWith("Bearer eyJ-issued-token-"));
        assertTrue(create.getHeader("Content-Type").startsWith("application/json"));
        for (HttpHeader header : create.getHeaders().all()) {
            String name = header.key().toLowerCase();
            assertFalse(name.startsWith("jms") || name.startsWith("camel") || name.startsWith("bridge") || name.startsWith("_amq"),
                    "no JMS or Camel header reaches Defender: " + header.key());
        }
        ObjectMapper json = new ObjectMapper();
        // made on the sample device's event that hunting found, not on the vendor's event id and time
        assertEquals(new EndpointAlerts().createRequest(new EventValidator().validate(active), microsoft.sampleAnchor("tenant-rt")).body(),
                json.readTree(create.getBodyAsString()));

        String alertId = bridge.store().alertId("rt", "thr-rt");
        assertTrue(alertId.startsWith("da"), alertId);
        bridge.send(event("rt-2", "rt", "thr-rt", "RESOLVED"));
        await().until(() -> bridge.store().isDone("rt", "rt-2"));
        List<LoggedRequest> calls = microsoft.calls("/rt");
        assertEquals(2, calls.size(), "one create, one resolve");
        LoggedRequest patch = calls.stream().filter(r -> r.getMethod().getName().equals("PATCH")).findFirst().orElseThrow();
        assertEquals("/rt/api/alerts/" + alertId, patch.getUrl(), "the resolve patches the alert the create returned");
        assertEquals("Resolved", json.readTree(patch.getBodyAsString()).get("status").asText());
    }

    @Test
    void anUnansweredCreateIsSettledByLookingTheAlertUpNotByCreatingAgain() throws Exception {
        String active = event("lost-1", "lost", "thr-lost", "ACTIVE");
        // Defender makes the alert but its answer never arrives in time
        microsoft.stubCreate("/lost", okJson("{\"id\":\"da-lost\"}").withFixedDelay(4000), 1);
        String description = new EndpointAlerts().createRequest(new EventValidator().validate(active), microsoft.sampleAnchor("tenant-lost"))
                .body().get("description").asText();
        microsoft.stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/lost/api/alerts"))
                .willReturn(okJson(new ObjectMapper().createObjectNode().set("value", new ObjectMapper().createArrayNode()
                        .add(new ObjectMapper().createObjectNode().put("id", "da-other").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", "Event id: someone-else"))
                        .add(new ObjectMapper().createObjectNode().put("id", "da-lost").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", description))).toString())));
        bridge.send(active);
        await().until(() -> bridge.store().isDone("lost", "lost-1"));
        assertEquals("da-lost", bridge.store().alertId("lost", "thr-lost"));
        assertEquals(1, microsoft.creates("/lost").size(), "the unanswered create is not sent again");
        LoggedRequest lookup = microsoft.calls("/lost").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        assertTrue(lookup.queryParameter("$filter").firstValue().startsWith("alertCreationTime ge "), lookup.getUrl());
    }

    @Test
    void aCreateAnotherInstanceMayStillBeSendingIsLookedUpOnlyOnceItCannotBeAnsweredAnyMore() throws Exception {
        String active = event("inflight-1", "inflight", "thr-inflight", "ACTIVE");
        microsoft.acceptAlerts("/inflight");
        microsoft.stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/inflight/api/alerts"))
                .willReturn(okJson("{\"value\":[{\"id\":\"da-inflight\",\"machineId\":\"1e5bc9d7e413ddd7902c2932e418702b84d0cc07\","
                        + "\"description\":\"Event id: inflight-0\"}]}")));
        // an instance that has just died sent this create: its answer may come for 1 + 1.5 s (time-outs) + 2 s (clocks)
        long sentAt = System.currentTimeMillis();
        bridge.store().beginCreate("inflight", "acct-inflight", "thr-inflight", "inflight-0", "endpoint");
        bridge.send(active);
        bridge.send(event("inflight-2", "inflight", "thr-inflight-2", "ACTIVE"));
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> bridge.store().isDone("inflight", "inflight-1"));
        assertEquals("da-inflight", bridge.store().alertId("inflight", "thr-inflight"), "the alert the other instance made");
        List<LoggedRequest> creates = microsoft.creates("/inflight");
        assertEquals(1, creates.size(), "only the other threat's create: " + creates);
        LoggedRequest lookup = microsoft.calls("/inflight").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        long lookedUpAfter = lookup.getLoggedDate().getTime() - sentAt;
        assertTrue(lookedUpAfter >= 4400, "looked up " + lookedUpAfter + " ms after the create was sent");
        assertTrue(creates.get(0).getLoggedDate().getTime() < lookup.getLoggedDate().getTime(),
                "the integration's other threats went on meanwhile");
    }

    @Test
    void aTenantThatKeepsFailingIsLeftAloneForAWhile() throws Exception {
        microsoft.stubCreate("/breaker", FakeMicrosoft.status(503), 1);
        bridge.send(event("breaker-1", "breaker", "thr-breaker-1", "ACTIVE"));
        bridge.send(event("breaker-2", "breaker", "thr-breaker-2", "ACTIVE"));
        await().until(() -> microsoft.creates("/breaker").size() >= 5);
        // five failures in a row open the circuit: the retries, due within a second, are held back
        await().during(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> microsoft.creates("/breaker").size() == 5);
    }

    @Test
    void threeOutagesThenSuccessMakeOneAlert() throws Exception {
        for (int i = 0; i < 3; i++) {
            microsoft.stub(post(urlEqualTo("/flaky/api/alerts/CreateAlertByReference")).inScenario("flaky")
                    .whenScenarioStateIs(i == 0 ? STARTED : "failed-" + i).willSetStateTo("failed-" + (i + 1))
                    .willReturn(FakeMicrosoft.status(503)));
        }
        microsoft.stub(post(urlEqualTo("/flaky/api/alerts/CreateAlertByReference")).inScenario("flaky")
                .whenScenarioStateIs("failed-3").willReturn(okJson("{\"id\":\"da-flaky-1\"}")));
        bridge.send(event("flaky-1", "flaky", "thr-flaky", "ACTIVE"));
        await().until(() -> bridge.store().isDone("flaky", "flaky-1"));
        assertEquals("da-flaky-1", bridge.store().alertId("flaky", "thr-flaky"));
        assertEquals(4, microsoft.creates("/flaky").size());
    }

    @Test
    void anOutageLongerThanTheRetryBudgetEndsInTheDeadLetterQueue() throws Exception {
        microsoft.stubCreate("/down", FakeMicrosoft.status(503), 1);
        String body = event("down-1", "down", "thr-down", "ACTIVE");
        bridge.send(body);
        Message dead = bridge.receive("threats.dlq", "bridgeIntegration = 'down'", 30_000);
        assertNotNull(dead);
        assertEquals(503, dead.getIntProperty("bridgeHttpStatus"));
        assertTrue(dead.getStringProperty("bridgeError").startsWith("gave up after 4 attempts: Defender answered 503"), dead.getStringProperty("bridgeError"));
        assertEquals(body, BridgeHarness.text(dead), "original body");
        assertEquals(4, microsoft.creates("/down").size(), "bridge.delivery.max-attempts calls");
        assertFalse(bridge.store().isDone("down", "down-1"));
    }

    @Test
    void badRequestAndForbiddenGoToTheDeadLetterQueueAfterOneCall() throws Exception {
        microsoft.stubCreate("/bad", FakeMicrosoft.status(400), 1);
        microsoft.stubCreate("/forbidden", FakeMicrosoft.status(403), 1);
        bridge.send(event("bad-1", "bad", "thr-bad", "ACTIVE"));
        bridge.send(event("forbidden-1", "forbidden", "thr-forbidden", "ACTIVE"));
        Message bad = bridge.receive("threats.dlq", "bridgeIntegration = 'bad'", 30_000);
        Message forbidden = bridge.receive("threats.dlq", "bridgeIntegration = 'forbidden'", 30_000);
        assertEquals(400, bad.getIntProperty("bridgeHttpStatus"));
        assertEquals("Defender answered 400: Test400 fake answer 400", bad.getStringProperty("bridgeError"));
        assertEquals(403, forbidden.getIntProperty("bridgeHttpStatus"));
        assertEquals(1, microsoft.creates("/bad").size());
        assertEquals(1, microsoft.creates("/forbidden").size());
        for (String property : Collections.list((java.util.Enumeration<String>) bad.getPropertyNames())) {
            String value = String.valueOf(bad.getObjectProperty(property));
            assertFalse(value.contains("eyJ-issued-token") || value.contains(FakeMicrosoft.CLIENT_SECRET), property);
        }
    }

    @Test
    void aRefusedTokenIsRenewedOnceAndTheCallRetried() throws Exception {
        microsoft.stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs(STARTED).willSetStateTo("renewed").willReturn(FakeMicrosoft.status(401)));
        microsoft.stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs("renewed").willReturn(okJson("{\"id\":\"da-expired-1\"}")));
        bridge.send(event("expired-1", "expired", "thr-expired", "ACTIVE"));
        await().until(() -> bridge.store().isDone("expired", "expired-1"));
        assertEquals(2, microsoft.tokenRequests("tenant-expired", MicrosoftRules.DEFENDER_AUDIENCE).size(), "one token, then one fresh token");
        List<LoggedRequest> creates = microsoft.creates("/expired");
        assertEquals(2, creates.size());
        assertFalse(creates.get(0).getHeader("Authorization").equals(creates.get(1).getHeader("Authorization")), "the retry carries the new token");
    }

    @Test
    void aThrottledTenantWaitsForRetryAfterWhileAnotherGoesOn() throws Exception {
        microsoft.stub(post(urlEqualTo("/slow/api/alerts/CreateAlertByReference")).inScenario("slow")
                .whenScenarioStateIs(STARTED).willSetStateTo("throttled")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));
        microsoft.stub(post(urlEqualTo("/slow/api/alerts/CreateAlertByReference")).inScenario("slow")
                .whenScenarioStateIs("throttled").willReturn(okJson("{\"id\":\"da-slow\"}")));
        microsoft.acceptAlerts("/fast");
        bridge.send(event("slow-1", "slow", "thr-slow-1", "ACTIVE"));
        await().until(() -> microsoft.creates("/slow").size() == 1);
        long throttledAt = microsoft.creates("/slow").get(0).getLoggedDate().getTime();
        for (int i = 0; i < 5; i++) {
            bridge.send(event("fast-" + i, "fast", "thr-fast-" + i, "ACTIVE"));
        }
        await().until(() -> bridge.store().isDone("slow", "slow-1"));
        List<LoggedRequest> slow = microsoft.creates("/slow");
        assertEquals(2, slow.size());
        long retriedAt = slow.get(1).getLoggedDate().getTime();
        assertTrue(retriedAt - throttledAt >= 2000, "no call to the tenant before Retry-After: " + (retriedAt - throttledAt) + " ms");
        List<LoggedRequest> fast = microsoft.creates("/fast");
        assertEquals(5, fast.size());
        assertTrue(fast.stream().allMatch(r -> r.getLoggedDate().getTime() < throttledAt + 2000),
                "the other tenant's calls went on while the throttled one waited");
    }

    @Test
    void oneTokenServesTwoHundredAlertsOfOneTenant() throws Exception {
        microsoft.acceptAlerts("/bulk");
        for (int i = 0; i < 200; i++) {
            bridge.send(event("bulk-" + i, "bulk", "thr-bulk-" + i, "ACTIVE"));
        }
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> bridge.store().isDone("bulk", "bulk-199")
                && microsoft.creates("/bulk").size() == 200);
        assertEquals(1, microsoft.tokenRequests("tenant-bulk", MicrosoftRules.DEFENDER_AUDIENCE).size());
        assertEquals(1, microsoft.tokenRequests("tenant-bulk", MicrosoftRules.GRAPH_AUDIENCE).size(), "and one for hunting");
        assertEquals(1, microsoft.huntingCalls("tenant-bulk").size(), "one hunting call for the device: its anchor is reused");
        assertNull(bridge.receive("threats.dlq", "bridgeIntegration = 'bulk'", 100));
    }
}
