package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Threat events for tests, built from the shipped samples so tests and samples cannot drift apart. */
public final class Events {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {
    }

    public static ObjectNode sample(String name) {
        try {
            return (ObjectNode) JSON.readTree(Files.readString(Path.of("samples", name)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The full critical sample with its own event id, account, threat id, severity and status. */
    public static ObjectNode event(String eventId, String account, String threatId, String severity, String status) {
        ObjectNode event = sample("critical-mitm.json");
        event.put("eventId", eventId).put("accountId", account);
        ObjectNode threat = (ObjectNode) event.get("threat");
        threat.put("id", threatId).put("severity", severity).put("status", status);
        if ("RESOLVED".equals(status)) {
            threat.put("resolvedAt", "2026-11-27T11:00:00Z");
        }
        return event;
    }

    /** Removes a dotted path such as "threat.name". */
    public static ObjectNode without(ObjectNode event, String path) {
        ObjectNode copy = event.deepCopy();
        int dot = path.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? copy : (ObjectNode) copy.at("/" + path.substring(0, dot).replace('.', '/'));
        parent.remove(path.substring(dot + 1));
        return copy;
    }

    /** Sets a dotted path such as "threat.severity" to any JSON value. */
    public static ObjectNode with(ObjectNode event, String path, JsonNode value) {
        ObjectNode copy = event.deepCopy();
        int dot = path.lastIndexOf('.');
        ObjectNode parent = dot < 0 ? copy : (ObjectNode) copy.at("/" + path.substring(0, dot).replace('.', '/'));
        parent.set(path.substring(dot + 1), value);
        return copy;
    }
}
