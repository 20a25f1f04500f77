package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Dry-run mode: each Defender request is appended as one JSON line instead of being sent. */
public class DryRunLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public DryRunLog(Path file) {
        this.file = file;
    }

    /**
     * @return the body Microsoft would have answered with: a made-up alert id for a create, so a later
     * resolve has an id to patch, no alert for a lookup, and a made-up anchor for a hunting query,
     * so the file shows the whole conversation a live run would have
     */
    public String append(DefenderRequest request, Integration integration,
                         ThreatEvent event, String url) {
        ObjectNode line = JSON.createObjectNode()
                .put("integration", integration.name())
                .put("tenant", integration.tenantId())
                .put("service", request.service().name())
                .put("operation", request.operation().name())
                .put("method", request.method())
                .put("path", request.path())
                .put("url", url)
                .put("eventId", event.eventId())
                .put("threatId", event.threat().id());
        line.set("body", request.body());
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        // one write per line under a lock, so lines from concurrent delivery routes never interleave
        synchronized (DryRunLog.class) {
            try {
                Files.createDirectories(file.toAbsolutePath().getParent());
                Files.write(file, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + file, e);
            }
        }
        return switch (request.operation()) {
            case create -> JSON.createObjectNode().put("id", "dry-run-" + UUID.randomUUID()).toString();
            case resolve -> JSON.createObjectNode().put("id", request.path().substring(request.path().lastIndexOf('/') + 1))
                    .put("status", "Resolved").toString();
            case lookup -> "{\"value\":[]}";
            case hunt -> madeUpAnchor(event);
        };
    }

    /** One DeviceInfo row for the machine, as hunting answers: the time of the call, a report id from the clock. */
    private static String madeUpAnchor(ThreatEvent event) {
        ObjectNode answer = JSON.createObjectNode();
        answer.putArray("schema").addObject().put("Name", "Timestamp").put("Type", "DateTime");
        answer.withArray("schema").addObject().put("Name", "DeviceId").put("Type", "String");
        answer.withArray("schema").addObject().put("Name", "ReportId").put("Type", "Int64");
        answer.putArray("results").addObject()
                .put("Timestamp", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString())
                .put("DeviceId", event.device().defenderMachineId().toLowerCase(java.util.Locale.ROOT))
                .put("ReportId", System.currentTimeMillis() % 1_000_000);
        return answer.toString();
    }
}
