package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.Events;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.store.PendingCreate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The createAlert and resolve requests of interface.md section 5b. */
public class GraphAlertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventValidator validator = new EventValidator();
    private final GraphAlerts graph = new GraphAlerts();

    /** The exact createAlert body of interface.md 5b for a sample, kept as a file so the end-to-end test checks the same. */
    public static JsonNode expected(String file) throws java.io.IOException {
        return JSON.readTree(java.nio.file.Files.readString(java.nio.file.Path.of("src/test/resources/graph", file)));
    }

    private ThreatEvent event(String sample) {
        return validator.validate(Events.sample(sample).toString());
    }

    @Test
    void fullEventNamesDeviceUserAndAttacker() throws Exception {
        DefenderRequest request = graph.createRequest(event("critical-mitm.json"), null);
        assertEquals("POST", request.method());
        assertEquals("/security/alerts_v2/createAlert", request.path());
        JsonNode expected = expected("create-full.json");
        assertEquals(expected, request.body());
        assertEquals(expected.toString(), request.body().toString(), "field order as documented");
    }

    @Test
    void minimalEventNamesOnlyTheDeviceById() throws Exception {
        JsonNode expected = expected("create-minimal.json");
        assertEquals(expected, graph.createRequest(event("critical-phishing-no-user.json"), null).body());
    }

    @ParameterizedTest
    @CsvSource({"CRITICAL,high", "ELEVATED,medium", "LOW,low", "NORMAL,informational"})
    void severities(String severity, String graphSeverity) {
        ThreatEvent event = validator.validate(Events.event("e", "acme", "t", severity, "ACTIVE").toString());
        assertEquals(graphSeverity, graph.createRequest(event, null).body().at("/createAlertInput/severity").asText());
    }

    @Test
    void resolvePatchesTheAlertsStatus() {
        DefenderRequest request = graph.resolveRequest(event("resolved-mitm.json"), "ga-123");
        assertEquals("PATCH", request.method());
        assertEquals("/security/alerts_v2/ga-123", request.path());
        assertEquals("{\"status\":\"resolved\"}", request.json());
    }

    @Test
    void anUnansweredCreateIsFoundByItsEventIdLine() {
        PendingCreate pending = new PendingCreate("ev-7", Instant.parse("2026-11-28T10:00:00Z"), "graph");
        DefenderRequest lookup = graph.lookupRequest(pending);
        assertEquals("GET", lookup.method());
        assertEquals("/security/alerts_v2?$filter=createdDateTime%20ge%202026-11-28T09%3A50%3A00Z", lookup.path());
        ThreatEvent event = event("critical-mitm.json");
        String answer = "{\"value\":[{\"id\":\"other\",\"description\":\"x\\nEvent id: ev-70\"},"
                + "{\"id\":\"mine\",\"description\":\"Threat: y\\nEvent id: ev-7\\nForensics:\"}]}";
        assertEquals("mine", graph.matchingAlert(answer, event, pending));
        assertNull(graph.matchingAlert("{\"value\":[]}", event, pending));
    }
}
