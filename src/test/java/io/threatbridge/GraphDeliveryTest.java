package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.microsoft.GraphAlertsTest;
import io.threatbridge.store.TestStores;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrations with `api: graph` (interface.md section 5b) end to end: real msal4j, real HTTPS to a
 * WireMock fake of Azure AD and Graph, the embedded broker and a real store.
 */
class GraphDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRAPH_SCOPE = "https://graph.microsoft.com/.default";
    private static final String DEFENDER_SCOPE = "https://api.securitycenter.microsoft.com/.default";

    @TempDir
    Path dir;

    private static Map<String, String> settings(FakeMicrosoft microsoft) {
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.delivery.max-attempts", "4");
        settings.put("bridge.delivery.initial-delay-ms", "200");
        settings.put("bridge.delivery.max-delay-ms", "1000");
        return settings;
    }

    /** The resource scope a token was asked for (msal4j adds openid, profile and offline_access). */
    private static String scope(LoggedRequest tokenRequest) {
        for (String pair : tokenRequest.getBodyAsString().split("&")) {
            if (pair.startsWith("scope=")) {
                for (String scope : URLDecoder.decode(pair.substring("scope=".length()), StandardCharsets.UTF_8).split(" ")) {
                    if (scope.endsWith("/.default")) {
                        return scope;
                    }
                }
            }
        }
        return null;
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void createAndResolveThroughGraph(String store) throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptGraphAlerts();
            Map<String, String> settings = settings(microsoft);
            settings.putAll(TestStores.settings(store, dir));
            String yaml = "integrations:\n" + FakeMicrosoft.graphIntegration("g", "tenant-g", "acme");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                bridge.send(Events.sample("critical-mitm.json").toString());
                bridge.send(Events.sample("critical-phishing-no-user.json").toString());
                await().until(() -> bridge.store().isDone("g", "5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d")
                        && bridge.store().isDone("g", "e7d6c5b4-a3f2-4e1d-8c9b-0a1f2e3d4c5b"));

                List<LoggedRequest> creates = microsoft.graphCreates("tenant-g");
                assertEquals(2, creates.size());
                Map<String, JsonNode> bodies = new HashMap<>();
                for (LoggedRequest create : creates) {
                    JsonNode body = JSON.readTree(create.getBodyAsString());
                    bodies.put(body.at("/createAlertInput/title").asText(), body);
                    assertTrue(create.getHeader("Authorization").startsWith("Bearer eyJ-issued-token-"));
                    assertEquals("application/json", create.getHeader("Content-Type"));
                }
                assertEquals(GraphAlertsTest.expected("create-full.json"), bodies.get("Man-in-the-middle (ARP) on Ann's Pixel (dev-9) [thr-42]"));
                assertEquals(GraphAlertsTest.expected("create-minimal.json"), bodies.get("Phishing link opened on dev-unmanaged-77 [thr-88]"));
                assertEquals(Set.of(GRAPH_SCOPE), microsoft.tokenRequests("tenant-g").stream().map(GraphDeliveryTest::scope).collect(Collectors.toSet()));

                String alertId = bridge.store().alertId("g", "thr-42");
                assertTrue(alertId.startsWith("ga"), alertId);
                bridge.send(Events.sample("resolved-mitm.json").toString());
                await().until(() -> bridge.store().isDone("g", "9d1f7a52-3c4e-4b8a-8f60-2e7d1c9b0a11"));
                List<LoggedRequest> resolves = microsoft.server.findAll(patchRequestedFor(urlPathMatching("/beta/security/alerts_v2/.*")));
                assertEquals(1, resolves.size());
                assertEquals("/beta/security/alerts_v2/" + alertId, resolves.get(0).getUrl());
                assertEquals(0, microsoft.huntingCalls("tenant-g").size(), "api: graph needs no anchor");
                assertEquals("{\"status\":\"resolved\"}", resolves.get(0).getBodyAsString());
                assertEquals(2, microsoft.graphCreates("tenant-g").size(), "the resolve made no second alert");
            }
        }
    }

    @Test
    void oneAccountFeedsAnEndpointAndAGraphIntegrationEachInItsOwnShape() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/ep");
            microsoft.acceptGraphAlerts();
            String yaml = "integrations:\n" + FakeMicrosoft.integration("ep", "tenant-both", "shared", microsoft.baseUrl() + "/ep")
                    + FakeMicrosoft.graphIntegration("gr", "tenant-both", "shared");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings(microsoft))) {
                bridge.send(Events.event("both-1", "shared", "thr-both", "NORMAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("ep", "both-1") && bridge.store().isDone("gr", "both-1"));

                LoggedRequest endpoint = microsoft.creates("/ep").get(0);
                LoggedRequest graph = microsoft.graphCreates("tenant-both").get(0);
                JsonNode endpointBody = JSON.readTree(endpoint.getBodyAsString());
                JsonNode graphBody = JSON.readTree(graph.getBodyAsString());
                assertEquals("Low", endpointBody.get("severity").asText(), "the endpoint API has no informational");
                assertEquals(microsoft.sampleAnchor("tenant-both").reportId(), endpointBody.get("reportId").asText(), "the anchor's report id");
                assertEquals("informational", graphBody.at("/createAlertInput/severity").asText());
                assertFalse(graphBody.has("machineId"));

                assertEquals(Set.of(DEFENDER_SCOPE, GRAPH_SCOPE),
                        microsoft.tokenRequests("tenant-both").stream().map(GraphDeliveryTest::scope).collect(Collectors.toSet()),
                        "one token per API for the tenant");
                assertNotEquals(endpoint.getHeader("Authorization"), graph.getHeader("Authorization"));
                assertNotEquals(bridge.store().alertId("ep", "thr-both"), bridge.store().alertId("gr", "thr-both"));
            }
        }
    }

    @Test
    void graphAnswersAreHandledAsTheEndpointApisAre() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptGraphAlerts();
            // 429 with Retry-After, then created
            microsoft.rules.inject("tenant-throttled", "graph create", aResponse().withStatus(429).withHeader("Retry-After", "2"));
            // 503, then created
            microsoft.rules.inject("tenant-flaky", "graph create", FakeMicrosoft.status(503));
            // 400: the dead-letter queue at once
            microsoft.rules.inject("tenant-bad", "graph create", FakeMicrosoft.status(400));
            // 401: one fresh token, then created
            microsoft.rules.inject("tenant-expired", "graph create", FakeMicrosoft.status(401));
            StringBuilder yaml = new StringBuilder("integrations:\n");
            for (String name : List.of("throttled", "flaky", "bad", "expired")) {
                yaml.append(FakeMicrosoft.graphIntegration(name, "tenant-" + name, "acct-" + name));
            }
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml.toString(), settings(microsoft))) {
                for (String name : List.of("throttled", "flaky", "bad", "expired")) {
                    bridge.send(Events.event(name + "-1", "acct-" + name, "thr-" + name, "CRITICAL", "ACTIVE").toString());
                }
                Message dead = bridge.receive("threats.dlq", "bridgeIntegration = 'bad'", 30_000);
                assertNotNull(dead);
                assertEquals(400, dead.getIntProperty("bridgeHttpStatus"));
                assertEquals("Graph answered 400: Test400 fake answer 400", dead.getStringProperty("bridgeError"));
                assertEquals(1, microsoft.graphCreates("tenant-bad").size());

                await().until(() -> bridge.store().isDone("flaky", "flaky-1"));
                assertEquals(2, microsoft.graphCreates("tenant-flaky").size());
                assertTrue(bridge.store().alertId("flaky", "thr-flaky").startsWith("ga"));

                await().until(() -> bridge.store().isDone("expired", "expired-1"));
                assertEquals(2, microsoft.tokenRequests("tenant-expired").size(), "one token, then one fresh token");
                List<LoggedRequest> expired = microsoft.graphCreates("tenant-expired");
                assertEquals(2, expired.size());
                assertNotEquals(expired.get(0).getHeader("Authorization"), expired.get(1).getHeader("Authorization"));

                await().until(() -> bridge.store().isDone("throttled", "throttled-1"));
                List<LoggedRequest> throttled = microsoft.graphCreates("tenant-throttled");
                assertEquals(2, throttled.size());
                long waited = throttled.get(1).getLoggedDate().getTime() - throttled.get(0).getLoggedDate().getTime();
                assertTrue(waited >= 2000, "no call to the tenant before Retry-After: " + waited + " ms");
            }
        }
    }
}
