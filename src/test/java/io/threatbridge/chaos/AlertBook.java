package io.threatbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Defender that remembers: every alert created under an integration's path prefix is kept, listed
 * by GET /api/alerts (as Defender does for the bridge's look-up of an unanswered create), and
 * counted, so a test can tell a duplicate create from a single one, and a resolve that came before
 * its create. Prefixes in {@code rejecting} answer every create with 400.
 */
public final class AlertBook implements ResponseDefinitionTransformerV2 {

    /** @param eventId the event the create was for, from its description's "Event id" line */
    public record Created(String prefix, String alertId, String eventId) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, List<ObjectNode>> alerts = new ConcurrentHashMap<>();
    private final List<Created> created = new CopyOnWriteArrayList<>();
    private final List<String> resolved = new CopyOnWriteArrayList<>();
    private final Set<String> alertIds = ConcurrentHashMap.newKeySet();
    private final AtomicLong resolvesBeforeCreate = new AtomicLong();
    private final Set<String> rejecting;

    public AlertBook(Set<String> rejecting) {
        this.rejecting = Set.copyOf(rejecting);
    }

    @Override
    public String getName() {
        return "alert-book";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String path = event.getRequest().getUrl().split("\\?")[0];
        int api = path.indexOf("/api/alerts");
        if (api < 0) {
            return event.getResponseDefinition();
        }
        String prefix = path.substring(0, api);
        String method = event.getRequest().getMethod().getName();
        if ("POST".equals(method) && path.endsWith("/CreateAlertByReference")) {
            if (rejecting.contains(prefix)) {
                return json(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"rejected by the test\"}}");
            }
            JsonNode body = read(event.getRequest().getBodyAsString());
            String id = "da" + ids.incrementAndGet();
            ObjectNode alert = JSON.createObjectNode().put("id", id)
                    .put("machineId", body.path("machineId").asText())
                    .put("description", body.path("description").asText())
                    .put("title", body.path("title").asText());
            alerts.computeIfAbsent(prefix, p -> new CopyOnWriteArrayList<>()).add(alert);
            // the event is named by the description's "Event id" line: the reportId is the device's anchor
            created.add(new Created(prefix, id, eventIdOf(body.path("description").asText())));
            alertIds.add(prefix + " " + id);
            return json(200, alert.toString());
        }
        if ("GET".equals(method)) {
            ArrayNode value = JSON.createArrayNode();
            alerts.getOrDefault(prefix, List.of()).forEach(value::add);
            return json(200, JSON.createObjectNode().set("value", value).toString());
        }
        if ("PATCH".equals(method)) {
            String id = path.substring(path.lastIndexOf('/') + 1);
            if (!alertIds.contains(prefix + " " + id)) {
                resolvesBeforeCreate.incrementAndGet();
            }
            resolved.add(prefix + " " + id);
            return json(200, JSON.createObjectNode().put("id", id).put("status", "Resolved").toString());
        }
        return json(404, "{}");
    }

    private static String eventIdOf(String description) {
        return description.lines().filter(line -> line.startsWith("Event id: ")).map(line -> line.substring("Event id: ".length()))
                .findFirst().orElse("");
    }

    public List<Created> created() {
        return List.copyOf(created);
    }

    public int resolveCount() {
        return resolved.size();
    }

    /** Resolves of an alert this Defender had not created (yet): a resolve that overtook its create. */
    public long resolvesBeforeCreate() {
        return resolvesBeforeCreate.get();
    }

    private static ResponseDefinition json(int status, String body) {
        return com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder.responseDefinition()
                .withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
