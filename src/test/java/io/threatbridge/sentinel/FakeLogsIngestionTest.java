package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The fake is as strict as the service it stands for: each documented rule it enforces, tried
 * with a request that breaks it (and one that keeps them all), over real HTTPS.
 */
class FakeLogsIngestionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DCR = SentinelDeliveryTest.DCR;
    private static final String STREAM = SentinelDeliveryTest.STREAM;
    private final HttpClient http = HttpClient.newHttpClient();
    private FakeLogsIngestion fake;
    private String monitorToken;
    private String graphToken;

    @BeforeEach
    void start() throws Exception {
        fake = new FakeLogsIngestion();
        fake.rule(DCR, STREAM);
        monitorToken = token(FakeLogsIngestion.MONITOR_SCOPE);
        graphToken = token("https://graph.microsoft.com/.default");
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    private String token(String scope) throws Exception {
        String form = "grant_type=client_credentials&client_id=" + FakeLogsIngestion.CLIENT_ID
                + "&client_secret=" + URLEncoder.encode(FakeLogsIngestion.CLIENT_SECRET, StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/tenant-x/oauth2/v2.0/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode());
        return JSON.readTree(answer.body()).path("access_token").asText();
    }

    private static String row(String eventId) {
        ObjectNode row = JSON.createObjectNode();
        FakeLogsIngestion.COLUMNS.forEach(column -> row.putNull(column));
        row.put("EventId", eventId).put("TimeGenerated", "2026-11-27T10:15:30Z");
        return row.toString();
    }

    private int post(String path, String token, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String path(String dcr, String stream, String apiVersion) {
        return "/dataCollectionRules/" + dcr + "/streams/" + stream + "?api-version=" + apiVersion;
    }

    private static byte[] rows(String... json) {
        return ("[" + String.join(",", json) + "]").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCorrectCallIsAnswered204() throws Exception {
        assertEquals(204, post(path(DCR, STREAM, "2023-01-01"), monitorToken, "application/json", rows(row("a"), row("b"))));
        assertEquals(2, fake.rowCount());
    }

    @Test
    void everyRuleIsEnforced() throws Exception {
        String good = path(DCR, STREAM, "2023-01-01");
        assertEquals(401, post(good, null, "application/json", rows(row("a"))), "no token");
        assertEquals(401, post(good, graphToken, "application/json", rows(row("a"))), "a token for another audience");
        assertEquals(401, post(good, "eyJ-made-up", "application/json", rows(row("a"))), "a token Azure AD never issued");
        assertEquals(404, post(path("dcr-ffffffffffffffffffffffffffffffff", STREAM, "2023-01-01"), monitorToken, "application/json",
                rows(row("a"))), "an unknown rule");
        assertEquals(404, post(path(DCR, "Custom-Other_CL", "2023-01-01"), monitorToken, "application/json", rows(row("a"))),
                "a stream the rule does not declare");
        assertEquals(400, post(path(DCR, STREAM, "2021-11-01-preview"), monitorToken, "application/json", rows(row("a"))),
                "another api-version");
        assertEquals(415, post(good, monitorToken, "text/plain", rows(row("a"))), "not JSON");
        assertEquals(400, post(good, monitorToken, "application/json", row("a").getBytes(StandardCharsets.UTF_8)), "not an array");
        ObjectNode extra = (ObjectNode) JSON.readTree(row("a"));
        extra.put("Unknown", 1);
        assertEquals(400, post(good, monitorToken, "application/json", rows(extra.toString())), "a column the stream does not have");
        ObjectNode missing = (ObjectNode) JSON.readTree(row("a"));
        missing.remove("Forensics");
        assertEquals(400, post(good, monitorToken, "application/json", rows(missing.toString())), "a column missing");
        ArrayNode big = JSON.createArrayNode();
        ObjectNode bigRow = (ObjectNode) JSON.readTree(row("big"));
        bigRow.put("ThreatName", "x".repeat(FakeLogsIngestion.MAX_BYTES));
        big.add(bigRow);
        assertEquals(413, post(good, monitorToken, "application/json", JSON.writeValueAsBytes(big)), "above 1 MB");
        assertEquals(0, fake.rowCount(), "nothing refused was taken");
    }
}
