package io.threatbridge;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import jakarta.jms.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each kind of bad input lands on the invalid queue with its original body and a reason that names
 * the field, while valid events sent between them still go through (interface.md section 4).
 */
class InvalidEventTest {

    @TempDir
    static Path dir;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
    }

    /** Bad body to the text bridgeError must contain. */
    static Map<String, String> cases() {
        ObjectNode valid = Events.event("ev-x", "acme", "thr-x", "CRITICAL", "ACTIVE");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("this is not json", "message body: not valid JSON");
        cases.put("[1, 2, 3]", "message body: expected one JSON object, got array");
        cases.put("", "message body: expected one JSON object, got nothing");
        for (String field : List.of("eventId", "accountId", "threat", "threat.id", "threat.name", "threat.severity",
                "threat.status", "threat.detectedAt", "device", "device.id", "device.os")) {
            cases.put(Events.without(valid, field).toString(), field + ": required field is missing");
        }
        cases.put(Events.with(valid, "eventId", IntNode.valueOf(42)).toString(), "eventId: expected string, got number");
        cases.put(Events.with(valid, "device", TextNode.valueOf("pixel")).toString(), "device: expected object, got string");
        cases.put(Events.with(valid, "eventId", TextNode.valueOf("")).toString(), "eventId: ");
        cases.put(Events.with(valid, "eventId", TextNode.valueOf("ev\u0000nul")).toString(), "eventId: contains a control character");
        cases.put(Events.with(valid, "threat.id", TextNode.valueOf("thr\r\nEvent id: forged")).toString(), "threat.id: contains a control character");
        cases.put(Events.with(valid, "accountId", TextNode.valueOf("acme\u0085")).toString(), "accountId: contains a control character");
        cases.put(Events.with(valid, "eventId", TextNode.valueOf("\uD83D\uDE00".repeat(129))).toString(), "eventId: ");
        cases.put(Events.with(valid, "threat.severity", TextNode.valueOf("HIGH")).toString(),
                "threat.severity: 'HIGH' is not one of CRITICAL, ELEVATED, LOW, NORMAL");
        cases.put(Events.with(valid, "threat.status", TextNode.valueOf("OPEN")).toString(), "threat.status: 'OPEN' is not one of ACTIVE, RESOLVED");
        cases.put(Events.with(valid, "threat.category", TextNode.valueOf("MALWARE")).toString(), "threat.category: 'MALWARE' is not one of");
        cases.put(Events.with(valid, "threat.detectedAt", TextNode.valueOf("yesterday")).toString(),
                "threat.detectedAt: 'yesterday' is not an ISO-8601 instant");
        cases.put(Events.with(valid, "threat.detectedAt", TextNode.valueOf("2026-13-45T10:00:00Z")).toString(),
                "threat.detectedAt: '2026-13-45T10:00:00Z' is not an ISO-8601 instant");
        cases.put(Events.with(valid, "accountId", TextNode.valueOf("nobody")).toString(), "accountId: 'nobody' is not an account of any integration");
        // fewer characters than the limit, more UTF-8 bytes: read, measured, refused (a text with more
        // characters than the limit is refused unread: HostileVendorTest)
        cases.put(Events.with(valid, "forensics", TextNode.valueOf("\u00e9".repeat(140 * 1024))).toString(), "bytes, more than the limit of 262144");
        cases.put("[".repeat(10_000) + "]".repeat(10_000), "message body: Document nesting depth (65) exceeds the maximum allowed");
        cases.put(Events.with(valid, "forensics", TextNode.valueOf("y".repeat(70 * 1024))).toString(), "message body: String value length");
        cases.put(valid.toString().replace("\"eventId\"", "\"" + "k".repeat(300) + "\":1,\"eventId\""), "message body: Name length");
        cases.put(valid.toString().replace("\"eventId\"", "\"eventId\":\"dup\",\"eventId\""), "Duplicate field 'eventId'");
        cases.put(valid + " {}", "message body: not valid JSON");
        cases.put(valid.toString().replace("\"managed\":true", "\"managed\":NaN"), "message body: not valid JSON");
        cases.put(valid.toString().replace("{\"eventId\"", "{/* note */\"eventId\""), "message body: not valid JSON");
        return cases;
    }

    @Test
    void eachBadInputIsParkedWithItsReasonAndValidEventsAroundItGoThrough() throws Exception {
        Map<String, String> cases = cases();
        List<String> validIds = new ArrayList<>();
        int n = 0;
        for (String body : cases.keySet()) {
            bridge.send(body);
            String id = "valid-" + n++;
            validIds.add(id);
            bridge.send(Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE").toString());
        }

        Map<String, String> reasons = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            Message parked = bridge.receive("threats.invalid", 30_000);
            assertNotNull(parked, "only " + i + " of " + cases.size() + " bad events reached the invalid queue");
            reasons.put(BridgeHarness.text(parked), parked.getStringProperty("bridgeError"));
        }
        assertNull(bridge.receive("threats.invalid", 200), "nothing else is invalid");
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            String reason = reasons.get(bad.getKey());
            assertNotNull(reason, "body kept unchanged on the invalid queue: " + abbreviate(bad.getKey()));
            assertTrue(reason.contains(bad.getValue()), "reason '" + reason + "' names '" + bad.getValue() + "'");
            assertFalse(reason.contains("\n"), "one line");
        }

        // every valid event delivered (the class's other test delivers events of its own to the same bridge)
        await().until(() -> validDelivered().containsAll(validIds));
        assertEquals(Set.copyOf(validIds), validDelivered());
    }

    @Test
    void bytesMessagesAreReadAsUtf8AndBadUtf8IsRefused() throws Exception {
        bridge.sendBytes(new byte[]{'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        Message parked = bridge.receive("threats.invalid", 30_000);
        assertNotNull(parked);
        assertEquals("message body: not valid UTF-8", parked.getStringProperty("bridgeError"));

        String id = "bytes-ok";
        bridge.sendBytes(Events.event(id, "acme", "thr-bytes", "CRITICAL", "ACTIVE").toString().getBytes(StandardCharsets.UTF_8));
        await().until(() -> bridge.dryRunLines().stream().anyMatch(l -> l.get("eventId").asText().equals(id)));
    }

    private static String abbreviate(String body) {
        return body.length() > 120 ? body.substring(0, 120) + "..." : body;
    }

    private static Set<String> validDelivered() {
        return bridge.dryRunLines().stream().map(l -> l.get("eventId").asText())
                .filter(id -> id.startsWith("valid-")).collect(Collectors.toSet());
    }
}
