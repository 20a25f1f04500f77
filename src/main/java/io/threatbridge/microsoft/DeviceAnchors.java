package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.RememberedAnchor;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finds the anchor of a device (interface.md section 5c): the machine's most recent event in
 * Defender's DeviceInfo table, through Microsoft Graph's advanced hunting, remembered per tenant and
 * machine in the store for up to {@link #REUSE} (one hunting call per machine and day). A machine
 * Defender holds no event of is remembered as such for {@link #MISS_REUSE}, so a burst of threats
 * on an unmanaged device does not become a burst of hunting calls.
 */
public class DeviceAnchors {

    public static final Duration REUSE = Duration.ofHours(24);
    static final Duration MISS_REUSE = Duration.ofHours(1);
    public static final String HUNTING_PATH = "/security/runHuntingQuery";

    /** Defender's machine ids are SHA-1 digests: 40 hexadecimal characters. Nothing else reaches a query. */
    private static final Pattern MACHINE_ID = Pattern.compile("[0-9a-fA-F]{40}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DeliveryStore store;
    private final boolean inStore;
    /** Dry-run's made-up anchors, kept in memory only: reused as a live run would, never seen by a later live run. */
    private final java.util.Map<String, RememberedAnchor> madeUp = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param inStore false in dry-run, whose anchors are made up and must never reach a live run */
    public DeviceAnchors(DeliveryStore store, boolean inStore) {
        this.store = store;
        this.inStore = inStore;
    }

    /**
     * The anchor the store remembers for the event's device, {@link Anchor#NONE} when its machine id
     * is not one to look up or Defender recently held no event of it, or null when hunting must be
     * asked (nothing remembered, too old, or a fresh anchor was asked for after a 404).
     */
    public Anchor remembered(Integration integration, ThreatEvent event,
                             Boolean fresh) {
        String machineId = machineIdToLookUp(event);
        if (machineId == null) {
            return Anchor.NONE;
        }
        if (Boolean.TRUE.equals(fresh)) {
            return null;
        }
        RememberedAnchor known = inStore ? store.rememberedAnchor(integration.tenantId(), machineId)
                : madeUp.get(integration.tenantId() + " " + machineId);
        if (known == null) {
            return null;
        }
        boolean found = known.eventTime() != null;
        Instant now = Instant.now();
        if (known.foundAt().plus(found ? REUSE : MISS_REUSE).isBefore(now)) {
            return null;
        }
        return found ? new Anchor(machineId, known.eventTime(), known.reportId()) : Anchor.NONE;
    }

    /** The hunting query for the device's most recent event in the last 30 days. */
    public DefenderRequest huntingRequest(ThreatEvent event) {
        String machineId = machineIdToLookUp(event);
        if (machineId == null) {
            throw new IllegalStateException("no machine id to look up");
        }
        return new DefenderRequest(DefenderRequest.Service.hunting, DefenderRequest.Operation.hunt, "POST", HUNTING_PATH,
                JsonNodeFactory.instance.objectNode().put("Query", query(machineId)));
    }

    /**
     * KQL for the machine's most recent DeviceInfo event. The id is checked to be 40 hexadecimal
     * characters before it gets here and is quoted as a KQL string literal besides, so a vendor's
     * value can never change the query.
     */
    static String query(String machineId) {
        return "DeviceInfo | where Timestamp > ago(30d) | where DeviceId == " + kqlString(machineId)
                + " | top 1 by Timestamp desc | project Timestamp, DeviceId, ReportId";
    }

    /** A KQL double-quoted string literal: backslash and double quote escaped, control characters refused. */
    static String kqlString(String value) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("a control character cannot be quoted into a query");
            }
            if (c == '\\' || c == '"') {
                quoted.append('\\');
            }
            quoted.append(c);
        }
        return quoted.append('"').toString();
    }

    /** The anchor in hunting's answer ({"schema": [...], "results": [...]}), remembered; {@link Anchor#NONE} when no row is the machine's. */
    public Anchor fromHuntingAnswer(String answer, Integration integration,
                                    ThreatEvent event) {
        String machineId = machineIdToLookUp(event);
        JsonNode results = read(answer).get("results");
        if (results == null || !results.isArray()) {
            throw new RetryableDeliveryException("Advanced hunting answered without a results list", null, null);
        }
        Anchor anchor = Anchor.NONE;
        for (JsonNode row : results) {
            String deviceId = row.path("DeviceId").asText("");
            JsonNode timestamp = row.get("Timestamp");
            JsonNode reportId = row.get("ReportId");
            if (deviceId.equalsIgnoreCase(machineId) && timestamp != null && timestamp.isTextual()
                    && reportId != null && (reportId.isIntegralNumber() || reportId.isTextual())) {
                // exactly as hunting returned them: Defender matches the event by these values
                anchor = new Anchor(deviceId, timestamp.asText(), reportId.asText());
                break;
            }
        }
        if (inStore) {
            store.rememberAnchor(integration.tenantId(), machineId, anchor.eventTime(), anchor.reportId());
        } else {
            madeUp.put(integration.tenantId() + " " + machineId, new RememberedAnchor(anchor.eventTime(), anchor.reportId(), Instant.now()));
        }
        return anchor;
    }

    /** For `api: endpoint`, which never falls back to Graph: the dead-letter reason names the machine. */
    public void refuseWithoutAnchor(ThreatEvent event) {
        String given = event.device().defenderMachineId();
        if (given == null || given.isBlank()) {
            throw new NoAnchorException("no anchor: device " + printable(event.device().id())
                    + " has no defenderMachineId, and api: endpoint never falls back to Graph");
        }
        if (machineIdToLookUp(event) == null) {
            throw new NoAnchorException("no anchor: device.defenderMachineId '" + printable(given)
                    + "' is not a Defender machine id (40 hexadecimal characters), and api: endpoint never falls back to Graph");
        }
        throw new NoAnchorException("no anchor: Defender holds no event of machine " + machineIdToLookUp(event)
                + " in the last 30 days, and api: endpoint never falls back to Graph");
    }

    /** The device's Defender machine id in lower case, or null when there is none or it is not 40 hexadecimal characters. */
    static String machineIdToLookUp(ThreatEvent event) {
        String id = event.device() == null ? null : event.device().defenderMachineId();
        return id != null && MACHINE_ID.matcher(id).matches() ? id.toLowerCase(Locale.ROOT) : null;
    }

    /** A vendor's value fit for a one-line reason: control characters replaced, at most 80 characters. */
    private static String printable(String value) {
        String line = value == null ? "" : value.replaceAll("\\p{Cntrl}", "?");
        return line.length() <= 80 ? line : line.substring(0, 77) + "...";
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }
}
