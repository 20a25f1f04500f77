package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.Events;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.ThreatEvent;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * interface.md section 5: the description's first line is "Event id: {eventId}" (so the 8,000
 * character cut never removes it), and control characters of vendor values never break a line (so a
 * vendor cannot forge another event's id line, by which the bridge finds the alerts it made).
 */
class AlertDescriptionTest {

    private static ThreatEvent event(ObjectNode json) {
        return new EventValidator().validate(json.toString());
    }

    @Test
    void theEventIdLineComesFirstAndSurvivesTheCut() {
        ObjectNode json = Events.event("ev-first", "acme", "thr-1", "CRITICAL", "ACTIVE");
        ObjectNode forensics = json.putObject("forensics");
        for (int i = 0; i < 400; i++) {
            forensics.put("key" + i, "x".repeat(60));
        }
        String description = AlertText.limit(AlertText.description(event(json)), AlertText.DESCRIPTION_MAX);
        assertEquals(AlertText.DESCRIPTION_MAX, description.length(), "cut");
        assertTrue(description.startsWith("Event id: ev-first\n"), description.substring(0, 80));
    }

    @Test
    void vendorValuesCannotForgeALine() {
        ObjectNode json = Events.with(Events.event("ev-real", "acme", "thr-1", "CRITICAL", "ACTIVE"),
                "device.name", TextNode.valueOf("Pixel\r\nEvent id: ev-forged"));
        ((ObjectNode) json.get("forensics")).put("note\nEvent id: ev-key", "a\u2028Event id: ev-sep\u0085Event id: ev-nel");
        String description = AlertText.description(event(json));
        assertTrue(description.lines().filter(l -> l.startsWith("Event id: ")).allMatch("Event id: ev-real"::equals), description);
        assertFalse(description.contains("\r"));
        String listAnswer = "{\"value\":[{\"id\":\"forged-alert\",\"description\":" + new com.fasterxml.jackson.databind.ObjectMapper()
                .valueToTree(description) + "}]}";
        assertEquals(null, AlertText.findByEventIdLine(listAnswer, "ev-forged", alert -> true), "the forged id finds nothing");
    }
}
