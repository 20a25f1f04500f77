package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.Events;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CreateAlertByReference and resolve bodies of interface.md section 5. */
class EndpointAlertsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final EventValidator validator = new EventValidator();
    private final EndpointAlerts mapper = new EndpointAlerts();

    /** An anchor as hunting returns it: a seven-digit fraction, a numeric report id. */
    static final Anchor ANCHOR = new Anchor("1e5bc9d7e413ddd7902c2932e418702b84d0cc07", "2026-11-27T09:58:12.4431178Z", "77123");

    private ThreatEvent event(ObjectNode json) {
        return validator.validate(json.toString());
    }

    @Test
    void fullEventMapsEveryField() throws Exception {
        DefenderRequest request = mapper.createRequest(event(Events.sample("critical-mitm.json")), ANCHOR);
        assertEquals("POST", request.method());
        assertEquals("/api/alerts/CreateAlertByReference", request.path());
        JsonNode expected = JSON.readTree("""
                {
                  "machineId": "1e5bc9d7e413ddd7902c2932e418702b84d0cc07",
                  "reportId": "77123",
                  "eventTime": "2026-11-27T09:58:12.4431178Z",
                  "severity": "High",
                  "category": "CredentialAccess",
                  "title": "Man-in-the-middle (ARP) on Ann's Pixel (dev-9) [thr-42]",
                  "description": "Event id: 5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d\\nMobile threat reported by the mobile threat defense console.\\nThreat: Man-in-the-middle (ARP) (ARP_MITM)\\nCategory: NETWORK\\nDetected at: 2026-11-27T10:15:30Z\\nDevice: Ann's Pixel\\nModel: Pixel 8\\nDevice id: dev-9\\nDefender machine id: 1e5bc9d7e413ddd7902c2932e418702b84d0cc07\\nOperating system: ANDROID 15\\nManaged: yes (Intune)\\nUser: Ann Lee\\nUser e-mail: ann@contoso.com\\nConsole account: acme\\nForensics:\\nattackerIp: 10.0.0.66\\nssid: CoffeeShop\\nbssid: aa:bb:cc:dd:ee:ff",
                  "recommendedAction": "Disconnect from the Wi-Fi network"
                }""");
        assertEquals(expected, request.body());
        assertEquals(expected.toString(), request.body().toString(), "field order as documented");
    }

    @Test
    void theAnchorNamesTheEventNotTheVendorsFacts() {
        Anchor other = new Anchor("aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd", "2026-11-20T01:02:03.0000001Z", "9");
        JsonNode body = mapper.createRequest(event(Events.sample("critical-mitm.json")), other).body();
        assertEquals(other.machineId(), body.get("machineId").asText());
        assertEquals("9", body.get("reportId").asText());
        assertEquals("2026-11-20T01:02:03.0000001Z", body.get("eventTime").asText(), "exactly as hunting returned it");
        assertTrue(body.get("description").asText().contains("Detected at: 2026-11-27T10:15:30Z"), "the threat's own time is in the text");
        assertThrows(IllegalStateException.class, () -> mapper.createRequest(event(Events.sample("critical-mitm.json")), Anchor.NONE));
    }

    @Test
    void twoThreatsOnOneDeviceNeverShareATitle() {
        ObjectNode first = Events.sample("critical-mitm.json");
        ObjectNode second = Events.with(first, "threat.id", TextNode.valueOf("thr-43"));
        String a = mapper.createRequest(event(first), ANCHOR).body().get("title").asText();
        String b = mapper.createRequest(event(second), ANCHOR).body().get("title").asText();
        assertNotEquals(a, b, "Defender would merge the second into the first");
        ObjectNode longName = Events.with(first, "threat.name", TextNode.valueOf("N".repeat(400)));
        String c = mapper.createRequest(event(longName), ANCHOR).body().get("title").asText();
        String d = mapper.createRequest(event(Events.with(longName, "threat.id", TextNode.valueOf("thr-43"))), ANCHOR).body().get("title").asText();
        assertNotEquals(c, d, "the cut takes the name, never the threat's tag");
        ObjectNode oddId = Events.with(first, "threat.id", TextNode.valueOf("id with spaces \u2603 and more than sixty-four characters ....................."));
        assertTrue(mapper.createRequest(event(oddId), ANCHOR).body().get("title").asText().matches(".* \\[threat [0-9a-f]{16}\\]"));
    }

    @Test
    void minimalEventFallsBackToCategoryDefaults() {
        DefenderRequest request = mapper.createRequest(event(Events.sample("critical-phishing-no-user.json")), ANCHOR);
        JsonNode body = request.body();
        assertEquals("InitialAccess", body.get("category").asText());
        assertEquals("Phishing link opened on dev-unmanaged-77 [thr-88]", body.get("title").asText());
        assertEquals(AlertText.defaultAction(io.threatbridge.event.Category.PHISHING), body.get("recommendedAction").asText());
        String description = body.get("description").asText();
        assertFalse(description.contains("User"), "no user line without a user");
        assertFalse(description.contains("Forensics"), "no forensics section without forensics");
        assertTrue(description.contains("Device id: dev-unmanaged-77"));
        assertTrue(description.contains("Operating system: IOS"));
    }

    @Test
    void missingCategoryIsOther() {
        ObjectNode json = (ObjectNode) Events.without(Events.sample("critical-mitm.json"), "threat.category");
        json = Events.without(json, "threat.recommendedAction");
        JsonNode body = mapper.createRequest(event(json), ANCHOR).body();
        assertEquals("SuspiciousActivity", body.get("category").asText());
        assertEquals(AlertText.defaultAction(io.threatbridge.event.Category.OTHER), body.get("recommendedAction").asText());
    }

    @ParameterizedTest
    @CsvSource({"CRITICAL, High", "ELEVATED, Medium", "LOW, Low", "NORMAL, Low"})
    void severityMapping(String severity, String defender) {
        ObjectNode json = Events.with(Events.sample("critical-mitm.json"), "threat.severity", TextNode.valueOf(severity));
        assertEquals(defender, mapper.createRequest(event(json), ANCHOR).body().get("severity").asText());
    }

    @ParameterizedTest
    @CsvSource({"NETWORK, CredentialAccess", "DEVICE, PrivilegeEscalation", "APP, Malware", "PHISHING, InitialAccess", "OTHER, SuspiciousActivity"})
    void categoryMapping(String category, String defender) {
        ObjectNode json = Events.with(Events.sample("critical-mitm.json"), "threat.category", TextNode.valueOf(category));
        assertEquals(defender, mapper.createRequest(event(json), ANCHOR).body().get("category").asText());
    }

    @Test
    void titleAndDescriptionAreCutToDefendersLimits() {
        ObjectNode json = Events.with(Events.sample("critical-mitm.json"), "threat.name", TextNode.valueOf("N".repeat(400)));
        ObjectNode forensics = JSON.createObjectNode();
        for (int i = 0; i < 500; i++) {
            forensics.put("key" + i, "value-" + "v".repeat(20));
        }
        json.set("forensics", forensics);
        JsonNode body = mapper.createRequest(event(json), ANCHOR).body();
        assertEquals(256, body.get("title").asText().length());
        assertTrue(body.get("title").asText().startsWith("N".repeat(200)));
        assertTrue(body.get("title").asText().endsWith("\u2026 [thr-42]"), body.get("title").asText());
        assertEquals(8000, body.get("description").asText().length());
        assertTrue(body.get("description").asText().endsWith("\u2026"), "a cut is marked");
    }

    @Test
    void nestedForensicsBecomeDottedKeyLines() {
        JsonNode body = mapper.createRequest(event(Events.sample("elevated-malicious-app.json")), ANCHOR).body();
        String description = body.get("description").asText();
        assertTrue(description.contains("\napp.package: com.flash.pro\n"), description);
        assertTrue(description.contains("\npermissions: [\"READ_SMS\",\"ACCESSIBILITY\"]"), description);
    }

    @Test
    void resolveIsAPatchWithAComment() {
        DefenderRequest request = mapper.resolveRequest(event(Events.sample("resolved-mitm.json")), "da637");
        assertEquals("PATCH", request.method());
        assertEquals("/api/alerts/da637", request.path());
        assertEquals("Resolved", request.body().get("status").asText());
        String comment = request.body().get("comment").asText();
        assertTrue(comment.contains("2026-11-27T10:42:05Z"), "when: " + comment);
        assertTrue(comment.contains("Ann's Pixel (dev-9)"), "where: " + comment);
        assertEquals(2, request.body().size());
    }
}
