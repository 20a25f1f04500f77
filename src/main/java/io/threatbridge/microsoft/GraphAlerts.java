package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

/**
 * Microsoft Graph's security alerts (interface.md section 5b, beta): an alert needs no event
 * Defender recorded first, so it serves phones Defender does not manage.
 */
public class GraphAlerts implements AlertApi {

    public static final String CREATE_PATH = "/security/alerts_v2/createAlert";
    static final String ALERTS_PATH = "/security/alerts_v2";

    @Override
    public DefenderRequest createRequest(ThreatEvent event, Anchor anchor) {
        ThreatEvent.Threat threat = event.threat();
        ObjectNode input = JsonNodeFactory.instance.objectNode()
                .put("title", AlertText.title(event))
                .put("description", limit(description(event), DESCRIPTION_MAX))
                .put("recommendedActions", AlertText.recommendedAction(threat))
                .put("category", category(threat.categoryOrOther()))
                .put("severity", severity(threat.severity()))
                .put("isExcludedFromCorrelation", false);
        ArrayNode entities = input.putArray("entityDefinitions");
        entity(entities, "device", "deviceId", machineId(event.device()), "impacted");
        if (event.user() != null && event.user().email() != null && !event.user().email().isBlank()) {
            entity(entities, "user", "userPrincipalName", event.user().email(), "impacted");
        }
        JsonNode attackerIp = event.forensics() == null ? null : event.forensics().get("attackerIp");
        if (attackerIp != null && attackerIp.isValueNode() && !attackerIp.asText().isBlank()) {
            entity(entities, "ip", "address", attackerIp.asText(), "related");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("createAlertInput", input);
        return new DefenderRequest(DefenderRequest.Service.graph, DefenderRequest.Operation.create, "POST", CREATE_PATH, body);
    }

    @Override
    public DefenderRequest resolveRequest(ThreatEvent event, String alertId) {
        return new DefenderRequest(DefenderRequest.Service.graph, DefenderRequest.Operation.resolve, "PATCH", ALERTS_PATH + "/" + alertId,
                JsonNodeFactory.instance.objectNode().put("status", "resolved"));
    }

    @Override
    public DefenderRequest lookupRequest(PendingCreate pending) {
        return new DefenderRequest(DefenderRequest.Service.graph, DefenderRequest.Operation.lookup, "GET",
                ALERTS_PATH + "?$filter=" + URLEncoder.encode("createdDateTime ge " + AlertText.lookupSince(pending.startedAt()),
                        StandardCharsets.UTF_8).replace("+", "%20"),
                null);
    }

    /** Matched by the "Event id" line of the description: Graph's alert carries the device only as evidence. */
    @Override
    public String matchingAlert(String body, ThreatEvent event, PendingCreate pending) {
        return AlertText.findByEventIdLine(body, pending.eventId(), alert -> true);
    }

    static String severity(Severity severity) {
        return switch (severity) {
            case CRITICAL -> "high";
            case ELEVATED -> "medium";
            case LOW -> "low";
            case NORMAL -> "informational";
        };
    }

    private static void entity(ArrayNode entities, String type, String identifier, String value, String role) {
        entities.addObject().put("entityType", type).put("entityIdentifier", identifier)
                .put("identifierValue", value).put("role", role);
    }
}
