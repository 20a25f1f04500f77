package io.threatbridge.sentinel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.event.ThreatEvent;

import java.util.List;

/**
 * The row of an event in the customer's Sentinel table (interface.md section 5d): exactly these
 * columns, every one present (null when the event has no value), so the data collection rule's
 * stream declaration and the table definition in docs/sentinel/ match every row.
 */
public final class SentinelRows {

    /** The columns, in the order of section 5d and of docs/sentinel/. */
    public static final List<String> COLUMNS = List.of("TimeGenerated", "EventId", "AccountId", "Integration", "ThreatId",
            "ThreatName", "ThreatType", "Category", "Severity", "Status", "DeviceId", "DefenderMachineId", "DeviceName",
            "DeviceModel", "Os", "OsVersion", "Managed", "UserName", "UserEmail", "Forensics", "RecommendedAction");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SentinelRows() {
    }

    public static ObjectNode row(ThreatEvent event, String integration) {
        ThreatEvent.Threat threat = event.threat();
        ThreatEvent.Device device = event.device();
        ThreatEvent.User user = event.user();
        ObjectNode row = JSON.createObjectNode();
        // the time of what the row records: detection, or resolution for a RESOLVED event
        row.put("TimeGenerated", event.resolved() && threat.resolvedAt() != null ? threat.resolvedAt() : threat.detectedAt());
        row.put("EventId", event.eventId());
        row.put("AccountId", event.accountId());
        row.put("Integration", integration);
        row.put("ThreatId", threat.id());
        row.put("ThreatName", threat.name());
        row.put("ThreatType", threat.type());
        row.put("Category", threat.categoryOrOther().name());
        row.put("Severity", threat.severity().name());
        row.put("Status", threat.status().name());
        row.put("DeviceId", device.id());
        row.put("DefenderMachineId", device.defenderMachineId());
        row.put("DeviceName", device.name());
        row.put("DeviceModel", device.model());
        row.put("Os", device.os());
        row.put("OsVersion", device.osVersion());
        row.put("Managed", device.managed());
        row.put("UserName", user == null ? null : user.name());
        row.put("UserEmail", user == null ? null : user.email());
        if (event.forensics() == null || event.forensics().isNull()) {
            row.putNull("Forensics");
        } else {
            row.set("Forensics", event.forensics());
        }
        row.put("RecommendedAction", threat.recommendedAction());
        return row;
    }

    /** The row as the UTF-8 bytes that go in the call's JSON array. */
    public static byte[] bytes(ThreatEvent event, String integration) {
        try {
            return JSON.writeValueAsBytes(row(event, integration));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a row of event " + event.eventId(), e);
        }
    }
}
