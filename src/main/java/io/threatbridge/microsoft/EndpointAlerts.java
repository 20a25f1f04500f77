package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.event.Severity;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.store.PendingCreate;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static io.threatbridge.microsoft.AlertText.DESCRIPTION_MAX;
import static io.threatbridge.microsoft.AlertText.category;
import static io.threatbridge.microsoft.AlertText.description;
import static io.threatbridge.microsoft.AlertText.limit;
import static io.threatbridge.microsoft.AlertText.machineId;

/** Defender for Endpoint's alert API (interface.md section 5): alerts on machines Defender manages. */
public class EndpointAlerts implements AlertApi {

    public static final String CREATE_PATH = "/api/alerts/CreateAlertByReference";

    /** On the anchor: the event Defender holds, named by its machine, report id and time exactly as hunting returned them. */
    @Override
    public DefenderRequest createRequest(ThreatEvent event, Anchor anchor) {
        if (anchor == null || !anchor.isFound()) {
            throw new IllegalStateException("a Defender for Endpoint alert needs an anchor");
        }
        ThreatEvent.Threat threat = event.threat();
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("machineId", anchor.machineId())
                .put("reportId", anchor.reportId())
                .put("eventTime", anchor.eventTime())
                .put("severity", severity(threat.severity()))
                .put("category", category(threat.categoryOrOther()))
                .put("title", AlertText.title(event))
                .put("description", limit(description(event), DESCRIPTION_MAX))
                .put("recommendedAction", AlertText.recommendedAction(threat));
        return new DefenderRequest(DefenderRequest.Service.defender, DefenderRequest.Operation.create, "POST", CREATE_PATH, body);
    }

    @Override
    public DefenderRequest resolveRequest(ThreatEvent event, String alertId) {
        ObjectNode body = JsonNodeFactory.instance.objectNode()
                .put("status", "Resolved")
                .put("comment", AlertText.resolveComment(event));
        return new DefenderRequest(DefenderRequest.Service.defender, DefenderRequest.Operation.resolve, "PATCH", "/api/alerts/" + alertId, body);
    }

    @Override
    public DefenderRequest lookupRequest(PendingCreate pending) {
        return new DefenderRequest(DefenderRequest.Service.defender, DefenderRequest.Operation.lookup, "GET",
                "/api/alerts?$filter=" + URLEncoder.encode("alertCreationTime ge " + AlertText.lookupSince(pending.startedAt()),
                        StandardCharsets.UTF_8).replace("+", "%20"),
                null);
    }

    /** Matched by the device and by the "Event id" line of the description. */
    @Override
    public String matchingAlert(String body, ThreatEvent event, PendingCreate pending) {
        String machineId = machineId(event.device());
        return AlertText.findByEventIdLine(body, pending.eventId(), alert -> machineId.equalsIgnoreCase(alert.path("machineId").asText()));
    }

    static String severity(Severity severity) {
        return switch (severity) {
            case CRITICAL -> "High";
            case ELEVATED -> "Medium";
            case LOW, NORMAL -> "Low";
        };
    }
}
