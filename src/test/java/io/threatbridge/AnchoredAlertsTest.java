package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.store.TestStores;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Alerts the real Defender accepts (interface.md sections 3, 5, 5b, 5c): each endpoint alert made on
 * an event Defender holds (its anchor, found by advanced hunting), Graph for devices Defender never
 * saw, end to end through the embedded broker, real msal4j and real HTTPS to the strict fake
 * ({@link MicrosoftRules}: 404 for an event Defender does not hold, merging by title, audiences).
 */
class AnchoredAlertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A machine id of the right shape that no tenant's Defender holds an event of. */
    private static final String UNSEEN_MACHINE = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path dir;

    private static Map<String, String> settings(FakeMicrosoft microsoft) {
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.delivery.max-attempts", "3");
        settings.put("bridge.delivery.initial-delay-ms", "200");
        settings.put("bridge.delivery.max-delay-ms", "500");
        return settings;
    }

    private static String yaml(FakeMicrosoft microsoft, String api) {
        return "integrations:\n" + FakeMicrosoft.integration("i", "tenant-i", "acme", microsoft.baseUrl() + "/i")
                + (api == null ? "" : "    api: " + api + "\n");
    }

    private static ObjectNode onMachine(ObjectNode event, String machineId) {
        return Events.with(event, "device.defenderMachineId", machineId == null ? null : TextNode.valueOf(machineId));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aManagedDeviceIsHuntedOnceAndEachThreatGetsItsOwnAlertOnTheAnchor(String store) throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            Map<String, String> settings = settings(microsoft);
            settings.putAll(TestStores.settings(store, dir));
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, null), settings)) {
                bridge.send(Events.event("ev-1", "acme", "thr-1", "CRITICAL", "ACTIVE").toString());
                bridge.send(Events.event("ev-2", "acme", "thr-2", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("i", "ev-1") && bridge.store().isDone("i", "ev-2"));

                List<LoggedRequest> hunts = microsoft.huntingCalls("tenant-i");
                assertEquals(1, hunts.size(), "the anchor is reused for the device's second threat");
                String query = JSON.readTree(hunts.get(0).getBodyAsString()).get("Query").asText();
                assertTrue(query.startsWith("DeviceInfo | where Timestamp > ago(30d)"), query);
                assertTrue(query.contains("DeviceId == \"" + MicrosoftRules.SAMPLE_MACHINE + "\""), "the id quoted: " + query);

                List<LoggedRequest> creates = microsoft.creates("/i");
                assertEquals(2, creates.size());
                var anchor = microsoft.sampleAnchor("tenant-i");
                for (LoggedRequest create : creates) {
                    JsonNode body = JSON.readTree(create.getBodyAsString());
                    assertEquals(anchor.machineId(), body.get("machineId").asText());
                    assertEquals(anchor.reportId(), body.get("reportId").asText());
                    assertEquals(anchor.eventTime(), body.get("eventTime").asText(), "the Timestamp exactly as hunting returned it");
                }
                assertNotEquals(JSON.readTree(creates.get(0).getBodyAsString()).get("title"), JSON.readTree(creates.get(1).getBodyAsString()).get("title"));
                assertEquals(2, microsoft.rules.defenderAlerts("tenant-i").size(), "two alerts: Defender merged nothing");
                assertNotEquals(bridge.store().alertId("i", "thr-1"), bridge.store().alertId("i", "thr-2"));
                assertEquals("endpoint", bridge.store().alertApi("i", "thr-1"));
                assertEquals(0, microsoft.graphCreates("tenant-i").size());
            }
        }
    }

    @Test
    void devicesDefenderNeverSawGetGraphAlertsUnderAuto() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            microsoft.acceptGraphAlerts();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, "auto"), settings(microsoft))) {
                // no Defender machine id at all: no query
                bridge.send(Events.sample("critical-phishing-no-user.json").toString());
                // a machine id of the right shape that Defender holds no event of: one query, no row
                bridge.send(onMachine(Events.event("ev-u", "acme", "thr-u", "CRITICAL", "ACTIVE"), UNSEEN_MACHINE).toString());
                await().until(() -> bridge.store().isDone("i", "e7d6c5b4-a3f2-4e1d-8c9b-0a1f2e3d4c5b") && bridge.store().isDone("i", "ev-u"));
                assertEquals(2, microsoft.graphCreates("tenant-i").size());
                assertEquals(0, microsoft.creates("/i").size(), "nothing sent to Defender for Endpoint without an anchor");
                assertEquals(1, microsoft.huntingCalls("tenant-i").size());
                assertEquals("graph", bridge.store().alertApi("i", "thr-u"));
            }
        }
    }

    @Test
    void withApiEndpointADeviceWithoutAnchorIsADeadLetterThatNamesTheMachine() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            microsoft.acceptGraphAlerts();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, "endpoint"), settings(microsoft))) {
                bridge.send(onMachine(Events.event("ev-n", "acme", "thr-n", "CRITICAL", "ACTIVE"), UNSEEN_MACHINE).toString());
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead);
                String reason = dead.getStringProperty("bridgeError");
                assertTrue(reason.contains(UNSEEN_MACHINE) && reason.contains("api: endpoint never falls back"), reason);
                assertEquals("i", dead.getStringProperty("bridgeIntegration"));
                assertEquals(0, microsoft.creates("/i").size());
                assertEquals(0, microsoft.graphCreates("tenant-i").size(), "endpoint never falls back to Graph");
            }
        }
    }

    @Test
    void anAnchorDefenderNoLongerHoldsIsReplacedOnceThenTheCreateIsMadeAgain() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, null), settings(microsoft))) {
                bridge.send(Events.event("ev-1", "acme", "thr-1", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("i", "ev-1"));
                // the remembered anchor's event ages out of Defender; the machine reports a new one
                microsoft.rules.forgetDevice("tenant-i", MicrosoftRules.SAMPLE_MACHINE);
                MicrosoftRules.DeviceEvent fresh = microsoft.rules.deviceEvent("tenant-i", MicrosoftRules.SAMPLE_MACHINE);
                bridge.send(Events.event("ev-2", "acme", "thr-2", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("i", "ev-2"));

                List<LoggedRequest> creates = microsoft.creates("/i");
                assertEquals(3, creates.size(), "the first threat's create, the refused one, the one on the fresh anchor");
                assertEquals(2, microsoft.huntingCalls("tenant-i").size(), "one fresh anchor after the 404");
                JsonNode last = JSON.readTree(creates.get(2).getBodyAsString());
                assertEquals(String.valueOf(fresh.reportId()), last.get("reportId").asText());
                assertEquals(fresh.timestamp(), last.get("eventTime").asText());
                assertEquals(2, microsoft.rules.defenderAlerts("tenant-i").size());
            }
        }
    }

    @Test
    void aThreatFirstAlertedOnGraphIsResolvedThereAfterItsDeviceIsOnboarded() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            microsoft.acceptGraphAlerts();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, null), settings(microsoft))) {
                bridge.send(onMachine(Events.event("ev-1", "acme", "thr-1", "CRITICAL", "ACTIVE"), UNSEEN_MACHINE).toString());
                await().until(() -> bridge.store().isDone("i", "ev-1"));
                String alertId = bridge.store().alertId("i", "thr-1");
                assertTrue(alertId.startsWith("ga"), alertId);
                // Defender for Endpoint now knows the device: the threat keeps its Graph alert
                microsoft.rules.deviceEvent("tenant-i", UNSEEN_MACHINE);
                bridge.send(onMachine(Events.event("ev-2", "acme", "thr-1", "CRITICAL", "ACTIVE"), UNSEEN_MACHINE).toString());
                bridge.send(onMachine(Events.event("ev-3", "acme", "thr-1", "CRITICAL", "RESOLVED"), UNSEEN_MACHINE).toString());
                await().until(() -> bridge.store().isDone("i", "ev-3"));
                List<LoggedRequest> resolves = microsoft.server.findAll(patchRequestedFor(urlPathMatching("/beta/security/alerts_v2/.*")));
                assertEquals(1, resolves.size());
                assertEquals("/beta/security/alerts_v2/" + alertId, resolves.get(0).getUrl());
                assertEquals(0, microsoft.calls("/i").size(), "nothing made or patched on Defender for Endpoint");
                assertEquals(1, microsoft.graphCreates("tenant-i").size(), "one alert per threat");
            }
        }
    }

    @Test
    void hostileMachineIdsNeverReachAQuery() throws Exception {
        List<String> hostile = List.of(
                MicrosoftRules.SAMPLE_MACHINE + "\" or DeviceId != \"",
                "\" | union DeviceProcessEvents | take 100 //",
                MicrosoftRules.SAMPLE_MACHINE + "0",
                "1e5bc9d7e413ddd7902c2932e418702b84d0cc0\u00e9",
                "1e5bc9d7e413ddd7902c2932e418702b84d0cc0\n");
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            microsoft.acceptGraphAlerts();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(microsoft, null), settings(microsoft))) {
                for (int i = 0; i < hostile.size(); i++) {
                    bridge.send(onMachine(Events.event("ev-h" + i, "acme", "thr-h" + i, "CRITICAL", "ACTIVE"), hostile.get(i)).toString());
                }
                // the ingest's consumers hand events on in any order: wait for each
                await().until(() -> java.util.stream.IntStream.range(0, hostile.size()).allMatch(i -> bridge.store().isDone("i", "ev-h" + i)));
                assertEquals(0, microsoft.huntingCalls("tenant-i").size(), "no query for an id that is not 40 hexadecimal characters");
                assertEquals(hostile.size(), microsoft.graphCreates("tenant-i").size(), "each on Graph, under auto");
            }
        }
    }

    @Test
    void dryRunWritesTheHuntingQueryAndMakesUpAnAnchorItNeverStores() throws Exception {
        String yaml = "integrations:\n  - {name: d, tenantId: tenant-d, accounts: [acme], filterLevel: NORMAL_AND_ABOVE}\n";
        try (BridgeHarness bridge = BridgeHarness.start(dir, yaml)) {
            bridge.send(Events.event("ev-1", "acme", "thr-1", "CRITICAL", "ACTIVE").toString());
            await().until(() -> bridge.store().isDone("d", "ev-1"));
            bridge.send(Events.event("ev-2", "acme", "thr-2", "CRITICAL", "ACTIVE").toString());
            bridge.send(Events.sample("critical-phishing-no-user.json").toString());
            await().until(() -> bridge.store().isDone("d", "ev-2") && bridge.store().isDone("d", "e7d6c5b4-a3f2-4e1d-8c9b-0a1f2e3d4c5b"));

            List<JsonNode> lines = bridge.dryRunAllLines();
            List<JsonNode> hunts = lines.stream().filter(line -> "hunt".equals(line.get("operation").asText())).toList();
            assertEquals(1, hunts.size(), "the made-up anchor is reused, as a live one would be: " + lines);
            assertEquals("https://graph.microsoft.com/v1.0/security/runHuntingQuery", hunts.get(0).get("url").asText());
            assertTrue(hunts.get(0).at("/body/Query").asText().contains(MicrosoftRules.SAMPLE_MACHINE));
            assertEquals(0, lines.indexOf(hunts.get(0)), "the query comes before the create that needs it");
            List<JsonNode> endpoint = lines.stream().filter(line -> "defender".equals(line.get("service").asText())).toList();
            assertEquals(2, endpoint.size());
            assertEquals(MicrosoftRules.SAMPLE_MACHINE, endpoint.get(0).at("/body/machineId").asText());
            assertEquals(endpoint.get(0).at("/body/reportId"), endpoint.get(1).at("/body/reportId"), "both threats on the one anchor");
            assertTrue(lines.stream().anyMatch(line -> line.get("url").asText().endsWith("/security/alerts_v2/createAlert")
                    && "e7d6c5b4-a3f2-4e1d-8c9b-0a1f2e3d4c5b".equals(line.get("eventId").asText())), "the unmanaged phone on Graph");
            assertEquals(null, bridge.store().rememberedAnchor("tenant-d", MicrosoftRules.SAMPLE_MACHINE),
                    "a made-up anchor never reaches the store a live run reads");
        }
    }

    /** The fake's own rule, which the bridge's tokens per service rely on: an API refuses a token for another audience. */
    @Test
    void eachApiRefusesATokenIssuedForAnother() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/i");
            microsoft.acceptGraphAlerts();
            HttpClient http = HttpClient.newHttpClient();
            String defenderToken = token(http, microsoft, "tenant-x", MicrosoftRules.DEFENDER_AUDIENCE);
            String graphToken = token(http, microsoft, "tenant-x", MicrosoftRules.GRAPH_AUDIENCE);
            String hunt = "{\"Query\":\"DeviceInfo | where DeviceId == \\\"" + MicrosoftRules.SAMPLE_MACHINE + "\\\"\"}";
            assertEquals(401, post(http, microsoft.baseUrl() + FakeMicrosoft.HUNTING, defenderToken, hunt));
            assertEquals(200, post(http, microsoft.baseUrl() + FakeMicrosoft.HUNTING, graphToken, hunt));
            assertEquals(401, post(http, microsoft.baseUrl() + FakeMicrosoft.GRAPH_CREATE, defenderToken, "{}"));
            assertEquals(401, post(http, microsoft.baseUrl() + "/i/api/alerts/CreateAlertByReference", graphToken, "{}"));
            assertEquals(400, post(http, microsoft.baseUrl() + "/i/api/alerts/CreateAlertByReference", defenderToken, "{}"));
        }
    }

    private static String token(HttpClient http, FakeMicrosoft microsoft, String tenant, String audience) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + FakeMicrosoft.CLIENT_ID + "&client_secret="
                + java.net.URLEncoder.encode(FakeMicrosoft.CLIENT_SECRET, "UTF-8") + "&scope=" + java.net.URLEncoder.encode(audience + "/.default", "UTF-8");
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(microsoft.baseUrl() + "/" + tenant + "/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body()).get("access_token").asText();
    }

    private static int post(HttpClient http, String url, String token, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
