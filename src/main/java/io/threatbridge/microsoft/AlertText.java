package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.event.Category;
import io.threatbridge.event.ThreatEvent;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Predicate;

/** The words of an alert, the same in both APIs (interface.md sections 5 and 5b). */
final class AlertText {

    static final int TITLE_MAX = 256;
    static final int DESCRIPTION_MAX = 8000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertText() {
    }

    /**
     * The threat's name and device, and a tag unique to the threat. Defender merges a new alert into
     * an open alert with the same title on the same device, so two threats on one device must never
     * share a title: the tag is the threat id (a digest of it when long or not plain), and the
     * name and device are shortened, never the tag.
     */
    static String title(ThreatEvent event) {
        String tag = " [" + threatTag(event) + "]";
        return limit(event.threat().name() + " on " + deviceLabel(event.device()), TITLE_MAX - tag.length()) + tag;
    }

    private static final java.util.regex.Pattern PLAIN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** The threat id as the title shows it: itself when short and plain, else 16 hex digits of its SHA-256 with the account. */
    static String threatTag(ThreatEvent event) {
        String id = event.threat().id();
        if (PLAIN_ID.matcher(id).matches()) {
            return id;
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest((event.accountId() + "\n" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "threat " + java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String recommendedAction(ThreatEvent.Threat threat) {
        return threat.recommendedAction() != null && !threat.recommendedAction().isBlank()
                ? threat.recommendedAction() : defaultAction(threat.categoryOrOther());
    }

    static String resolveComment(ThreatEvent event) {
        ThreatEvent.Threat threat = event.threat();
        String when = threat.resolvedAt() != null ? threat.resolvedAt() : "a time the console did not report";
        return limit("Resolved on the device " + deviceLabel(event.device()) + " at " + when
                + ", as reported by mobile threat defense console account " + event.accountId()
                + " (event " + event.eventId() + ").", DESCRIPTION_MAX);
    }

    /** The line every description carries, by which the bridge finds an alert it made without hearing the answer. */
    static String eventIdLine(String eventId) {
        return "Event id: " + eventId;
    }

    /**
     * The id of the alert in a list answer ({"value": [...]}) whose description carries the event's
     * id line and that also matches; null when there is none.
     */
    static String findByEventIdLine(String listAnswer, String eventId, Predicate<JsonNode> alsoMatches) {
        String marker = eventIdLine(eventId);
        for (JsonNode alert : read(listAnswer).path("value")) {
            if (alert.path("description").asText("").lines().anyMatch(marker::equals) && alsoMatches.test(alert)) {
                return alert.path("id").asText();
            }
        }
        return null;
    }

    /** The @odata.nextLink of a list answer, or null when it names no further page. */
    static String nextLink(String listAnswer) {
        JsonNode next = read(listAnswer).get("@odata.nextLink");
        return next != null && next.isTextual() && !next.asText().isBlank() ? next.asText() : null;
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

    /** An instant ten minutes before a create was sent, for the clock difference between the bridge and Microsoft. */
    static String lookupSince(Instant startedAt) {
        return startedAt.minus(Duration.ofMinutes(10)).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String machineId(ThreatEvent.Device device) {
        return device.defenderMachineId() != null && !device.defenderMachineId().isBlank()
                ? device.defenderMachineId() : device.id();
    }

    static String category(Category category) {
        return switch (category) {
            case NETWORK -> "CredentialAccess";
            case DEVICE -> "PrivilegeEscalation";
            case APP -> "Malware";
            case PHISHING -> "InitialAccess";
            case OTHER -> "SuspiciousActivity";
        };
    }

    static String defaultAction(Category category) {
        return switch (category) {
            case NETWORK -> "Disconnect the device from the network and rejoin only a trusted one.";
            case DEVICE -> "Check the device's integrity (root or jailbreak, OS version) and update or re-provision it.";
            case APP -> "Uninstall the malicious app from the device.";
            case PHISHING -> "Do not open the link; reset any credentials that may have been entered.";
            case OTHER -> "Review the threat in the mobile threat defense console and follow its guidance.";
        };
    }

    static String deviceLabel(ThreatEvent.Device device) {
        return device.name() != null && !device.name().isBlank() ? device.name() + " (" + device.id() + ")" : device.id();
    }

    static String description(ThreatEvent event) {
        ThreatEvent.Threat threat = event.threat();
        ThreatEvent.Device device = event.device();
        // first, so that no cut at the description's limit can remove it: the bridge finds its own
        // alert again by this line (AlertApi.matchingAlert). Vendor values below cannot forge one:
        // their control characters are spaces
        StringBuilder text = new StringBuilder(eventIdLine(event.eventId())).append('\n');
        text.append("Mobile threat reported by the mobile threat defense console.\n");
        line(text, "Threat", threat.name() + (threat.type() != null ? " (" + threat.type() + ")" : ""));
        line(text, "Category", threat.categoryOrOther().name());
        line(text, "Detected at", threat.detectedAt());
        line(text, "Device", device.name());
        line(text, "Model", device.model());
        line(text, "Device id", device.id());
        line(text, "Defender machine id", device.defenderMachineId());
        line(text, "Operating system", device.os() + (device.osVersion() != null ? " " + device.osVersion() : ""));
        line(text, "Managed", device.managed() == null ? "unknown"
                : device.managed() ? "yes" + (device.mdmVendor() != null ? " (" + device.mdmVendor() + ")" : "") : "no");
        if (event.user() != null) {
            line(text, "User", event.user().name());
            line(text, "User e-mail", event.user().email());
        }
        line(text, "Console account", event.accountId());
        if (event.forensics() != null && event.forensics().isObject() && !event.forensics().isEmpty()) {
            text.append("Forensics:\n");
            forensics(text, "", event.forensics());
        }
        return text.toString().stripTrailing();
    }

    /** Nested forensics become dotted keys, so every value is one "key: value" line. */
    private static void forensics(StringBuilder text, String prefix, JsonNode node) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String key = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                forensics(text, key + ".", value);
            } else if (!value.isNull()) {
                text.append(oneLine(key)).append(": ").append(oneLine(value.isValueNode() ? value.asText() : value.toString())).append('\n');
            }
        }
    }

    private static void line(StringBuilder text, String label, String value) {
        if (value != null && !value.isBlank()) {
            text.append(label).append(": ").append(oneLine(value)).append('\n');
        }
    }

    /** A vendor's value on one line: every control character (CR, LF, NEL...) and line or paragraph separator a space. */
    static String oneLine(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (out == null) {
                    out = new StringBuilder(value);
                }
                out.setCharAt(i, ' ');
            }
        }
        return out == null ? value : out.toString();
    }

    static String limit(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "\u2026";
    }
}
