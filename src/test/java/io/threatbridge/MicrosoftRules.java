package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of Microsoft's services that the bridge must keep, as a WireMock extension behind
 * {@link FakeMicrosoft}. Each rule says where it comes from (learn.microsoft.com):
 * <ul>
 * <li>Azure AD's v2.0 token endpoint (client credentials): a token is issued for one resource, the
 *     scope's audience, in one tenant; the client id and secret must be the application's.</li>
 * <li>Every API refuses a token issued for another audience or tenant with 401 ("Defender for
 *     Endpoint API: access a token"; Graph "authorization errors").</li>
 * <li>Defender for Endpoint "Create alert" (POST /api/alerts/CreateAlertByReference): machineId,
 *     reportId, eventTime, severity, title, description, recommendedAction and category required;
 *     the alert is made on an event Defender holds, so a triple it does not hold is 404; an open alert
 *     with the same title on the same machine absorbs the new one (the answer is that alert); 15
 *     calls per minute per tenant, 429 above.</li>
 * <li>Defender "Update alert" (PATCH /api/alerts/{id}) and "List alerts": 100 calls per minute and
 *     1,500 per hour per tenant; an unknown id is 404.</li>
 * <li>Graph v1.0 security/runHuntingQuery: body {"Query": "..."}, answer {"schema": [...],
 *     "results": [...]}; 45 calls per minute and 1,500 per hour per tenant; a query it cannot parse
 *     is 400.</li>
 * <li>Graph beta security/alerts_v2/createAlert: 201 with the alert; PATCH alerts_v2/{id} 200, an
 *     unknown id 404.</li>
 * </ul>
 * Windows are a minute and an hour, or shorter together where a test shortens the bridge's
 * ({@link #quotaWindow(long)}).
 */
public final class MicrosoftRules implements ResponseDefinitionTransformerV2 {

    public static final String DEFENDER_AUDIENCE = "https://api.securitycenter.microsoft.com";
    public static final String GRAPH_AUDIENCE = "https://graph.microsoft.com";
    /** The device of the shipped samples (samples/critical-mitm.json): every tenant's Defender holds events of it unless a test says otherwise. */
    public static final String SAMPLE_MACHINE = "1e5bc9d7e413ddd7902c2932e418702b84d0cc07";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter HUNTING_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern DEVICE_ID_EQUALS = Pattern.compile("DeviceId == \"([^\"\\\\]*)\"");

    /** A token Azure AD issued: for whom and for which resource. */
    public record Grant(String tenant, String audience) {
    }

    /** One event Defender holds for a machine, as DeviceInfo has it. */
    public record DeviceEvent(String timestamp, long reportId) {
    }

    private final String clientId;
    private final String clientSecret;
    private final Map<String, Grant> tokens = new ConcurrentHashMap<>();
    private final Map<String, Map<String, List<DeviceEvent>>> devices = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> defenderAlerts = new ConcurrentHashMap<>();
    private final Map<String, List<ObjectNode>> graphAlerts = new ConcurrentHashMap<>();
    private final Map<String, Deque<Long>> calls = new ConcurrentHashMap<>();
    private final List<String[]> huntingQueries = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<ResponseDefinition>> injected = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private volatile long minuteMillis = 60_000;
    private volatile boolean quotas = true;
    /** How many alerts a list answer holds before it names the next page (@odata.nextLink). */
    private volatile int pageSize = 100;

    public MicrosoftRules(String clientId, String clientSecret) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    @Override
    public String getName() {
        return "microsoft";
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    /** The quota windows: a minute of this many milliseconds, and an hour of 60 of them (as bridge.defender.quota-window-ms). */
    public void quotaWindow(long minute) {
        this.minuteMillis = minute;
    }

    /** Lists answer this many alerts a page, the rest behind @odata.nextLink (both APIs page so). */
    public void pageSize(int alerts) {
        this.pageSize = alerts;
    }

    /** An alert Defender for Endpoint holds in the tenant, made by someone (an instance that died, say); returns its id. */
    public String addDefenderAlert(String tenant, String machineId, String title, String description) {
        ObjectNode alert = JSON.createObjectNode().put("id", "da" + ids.incrementAndGet() + "_held")
                .put("machineId", machineId).put("title", title).put("description", description)
                .put("status", "New").put("alertCreationTime", Instant.now().toString());
        defenderAlerts.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>()).add(alert);
        return alert.get("id").asText();
    }

    /** For tests that turn the bridge's pacing off to test something else: no 429 for quotas. */
    public void withoutQuotas() {
        this.quotas = false;
    }

    /** Defender holds a new event of the machine in the tenant (its most recent); returns it. */
    public DeviceEvent deviceEvent(String tenant, String machineId) {
        DeviceEvent event = new DeviceEvent(HUNTING_TIME.format(Instant.now()), 1000 + ids.incrementAndGet());
        table(tenant).computeIfAbsent(machineId.toLowerCase(), m -> new CopyOnWriteArrayList<>()).add(event);
        return event;
    }

    /** The machine's most recent event in the tenant, or null when Defender holds none. */
    public DeviceEvent latestEvent(String tenant, String machineId) {
        List<DeviceEvent> events = table(tenant).getOrDefault(machineId.toLowerCase(), List.of());
        return events.isEmpty() ? null : events.get(events.size() - 1);
    }

    /** Defender no longer holds any event of the machine (retention, offboarding). */
    public void forgetDevice(String tenant, String machineId) {
        table(tenant).put(machineId.toLowerCase(), new CopyOnWriteArrayList<>());
    }

    /** The tenant's device table: the sample device has one event unless a test changed it. */
    private Map<String, List<DeviceEvent>> table(String tenant) {
        return devices.computeIfAbsent(tenant, t -> {
            Map<String, List<DeviceEvent>> table = new ConcurrentHashMap<>();
            table.put(SAMPLE_MACHINE, new CopyOnWriteArrayList<>(List.of(
                    new DeviceEvent("2026-11-27T09:58:12.4431178Z", 77_000 + Math.abs(t.hashCode() % 1000)))));
            return table;
        });
    }

    public Grant grant(String authorization) {
        return authorization == null || !authorization.startsWith("Bearer ") ? null : tokens.get(authorization.substring(7));
    }

    /** The hunting queries each tenant sent, in order: {tenant, query}. */
    public List<String[]> huntingQueries() {
        return List.copyOf(huntingQueries);
    }

    public List<ObjectNode> defenderAlerts(String tenant) {
        return List.copyOf(defenderAlerts.getOrDefault(tenant, List.of()));
    }

    public List<ObjectNode> graphAlerts(String tenant) {
        return List.copyOf(graphAlerts.getOrDefault(tenant, List.of()));
    }

    /**
     * The tenant's next calls of a kind ("graph create", "graph update", "hunting") get these answers,
     * one each, before the rules answer again: a fault a test injects (429, 5xx) where WireMock's own
     * stubs cannot tell tenants apart (Graph and hunting share one base URL).
     */
    public void inject(String tenant, String call, ResponseDefinitionBuilder... answers) {
        Deque<ResponseDefinition> queue = injected.computeIfAbsent(tenant + " " + call, k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
        for (ResponseDefinitionBuilder answer : answers) {
            queue.addLast(answer.build());
        }
    }

    private ResponseDefinition injectedAnswer(String tenant, String call) {
        Deque<ResponseDefinition> queue = injected.get(tenant + " " + call);
        return queue == null ? null : queue.pollFirst();
    }

    /** How many calls were answered 429 for a quota. */
    public long throttledCalls() {
        return throttled.get();
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Request request = serveEvent.getRequest();
        String path = request.getUrl().split("\\?")[0];
        String method = request.getMethod().getName();
        if (path.endsWith("/oauth2/v2.0/token")) {
            return echoRequestId(request, token(path, request.getBodyAsString()));
        }
        if (path.contains("/api/alerts")) {
            return defender(request, path, method);
        }
        if (path.endsWith("/security/runHuntingQuery")) {
            return hunting(request);
        }
        if (path.contains("/security/alerts_v2")) {
            return graph(request, path, method);
        }
        return json(404, error("NotFound", "no such API in this fake: " + path));
    }

    private ResponseDefinition token(String path, String form) {
        String tenant = path.substring(1, path.indexOf('/', 1));
        Map<String, String> fields = new ConcurrentHashMap<>();
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        if (!clientId.equals(fields.get("client_id"))
                || !(clientSecret.equals(fields.get("client_secret")) || fields.containsKey("client_assertion"))) {
            return json(401, "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS7000215: Invalid client secret provided.\"}");
        }
        String audience = null;
        for (String scope : fields.getOrDefault("scope", "").split(" ")) {
            if (scope.endsWith("/.default")) {
                audience = scope.substring(0, scope.length() - "/.default".length());
            }
        }
        if (audience == null) {
            return json(400, "{\"error\":\"invalid_scope\",\"error_description\":\"AADSTS1002012: The provided value for scope is not valid.\"}");
        }
        String token = "eyJ-issued-token-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24);
        tokens.put(token, new Grant(tenant, audience));
        return json(200, "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,\"access_token\":\"" + token + "\"}");
    }

    /**
     * Azure AD answers a request that carries return-client-request-id: true with its client-request-id
     * header (Microsoft identity platform, "client-request-id" request and response headers); msal4j
     * sends both and logs a line for every answer without it.
     */
    private static ResponseDefinition echoRequestId(Request request, ResponseDefinition answer) {
        String id = request.getHeader("client-request-id");
        if (id == null || !"true".equalsIgnoreCase(request.getHeader("return-client-request-id"))) {
            return answer;
        }
        return ResponseDefinitionBuilder.like(answer).withHeader("client-request-id", id).build();
    }

    /** The token's tenant when it is valid for the audience, else null. */
    private String tenant(Request request, String audience) {
        Grant grant = grant(request.getHeader("Authorization"));
        return grant != null && grant.audience().equals(audience) ? grant.tenant() : null;
    }

    private ResponseDefinition defender(Request request, String path, String method) {
        String tenant = tenant(request, DEFENDER_AUDIENCE);
        if (tenant == null) {
            return json(401, error("Unauthorized", "the token is not valid for " + DEFENDER_AUDIENCE));
        }
        List<ObjectNode> alerts = defenderAlerts.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>());
        if ("POST".equals(method) && path.endsWith("/CreateAlertByReference")) {
            if (overQuota(tenant + " defender create", 15, 0)) {
                return throttle();
            }
            JsonNode body = read(request.getBodyAsString());
            for (String field : List.of("machineId", "reportId", "eventTime", "severity", "title", "description", "recommendedAction", "category")) {
                if (!body.path(field).isTextual() || body.path(field).asText().isBlank()) {
                    return json(400, error("InvalidRequestBody", field + " is required"));
                }
            }
            String machineId = body.get("machineId").asText();
            boolean held = table(tenant).getOrDefault(machineId.toLowerCase(), List.of()).stream()
                    .anyMatch(e -> e.timestamp().equals(body.get("eventTime").asText()) && String.valueOf(e.reportId()).equals(body.get("reportId").asText()));
            if (!held) {
                return json(404, error("NotFound", "Event with reportId " + body.get("reportId").asText() + " was not found"));
            }
            synchronized (alerts) {
                for (ObjectNode open : alerts) {
                    if (open.path("machineId").asText().equals(machineId) && open.path("title").asText().equals(body.get("title").asText())
                            && !"Resolved".equals(open.path("status").asText())) {
                        return json(200, open.toString());
                    }
                }
                ObjectNode alert = JSON.createObjectNode().put("id", "da" + ids.incrementAndGet() + "_" + Math.abs(tenant.hashCode() % 100000))
                        .put("machineId", machineId).put("title", body.get("title").asText())
                        .put("description", body.get("description").asText()).put("severity", body.path("severity").asText())
                        .put("status", "New").put("alertCreationTime", Instant.now().toString());
                alerts.add(alert);
                return json(200, alert.toString());
            }
        }
        if (overQuota(tenant + " defender update", 100, 1500)) {
            return throttle();
        }
        return updateOrList(request, path, method, alerts);
    }

    private ResponseDefinition hunting(Request request) {
        String tenant = tenant(request, GRAPH_AUDIENCE);
        if (tenant == null) {
            return json(401, error("InvalidAuthenticationToken", "the token is not valid for " + GRAPH_AUDIENCE));
        }
        ResponseDefinition fault = injectedAnswer(tenant, "hunting");
        if (fault != null) {
            return fault;
        }
        if (overQuota(tenant + " hunting", 45, 1500)) {
            return throttle();
        }
        JsonNode query = read(request.getBodyAsString()).get("Query");
        if (query == null || !query.isTextual()) {
            return json(400, error("BadRequest", "Query is required"));
        }
        huntingQueries.add(new String[] {tenant, query.asText()});
        Matcher machine = DEVICE_ID_EQUALS.matcher(query.asText());
        if (!query.asText().startsWith("DeviceInfo ") || !machine.find()) {
            return json(400, error("BadRequest", "Query could not be parsed"));
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode schema = answer.putArray("schema");
        schema.addObject().put("Name", "Timestamp").put("Type", "DateTime");
        schema.addObject().put("Name", "DeviceId").put("Type", "String");
        schema.addObject().put("Name", "ReportId").put("Type", "Int64");
        ArrayNode results = answer.putArray("results");
        List<DeviceEvent> events = table(tenant).getOrDefault(machine.group(1), List.of());
        if (!events.isEmpty()) {
            DeviceEvent latest = events.get(events.size() - 1);
            results.addObject().put("Timestamp", latest.timestamp()).put("DeviceId", machine.group(1)).put("ReportId", latest.reportId());
        }
        return json(200, answer.toString());
    }

    private ResponseDefinition graph(Request request, String path, String method) {
        String tenant = tenant(request, GRAPH_AUDIENCE);
        if (tenant == null) {
            return json(401, error("InvalidAuthenticationToken", "the token is not valid for " + GRAPH_AUDIENCE));
        }
        List<ObjectNode> alerts = graphAlerts.computeIfAbsent(tenant, t -> new CopyOnWriteArrayList<>());
        ResponseDefinition fault = injectedAnswer(tenant, "POST".equals(method) ? "graph create" : "graph update");
        if (fault != null) {
            return fault;
        }
        if ("POST".equals(method) && path.endsWith("/createAlert")) {
            JsonNode input = read(request.getBodyAsString()).path("createAlertInput");
            for (String field : List.of("title", "description", "severity", "category")) {
                if (!input.path(field).isTextual()) {
                    return json(400, error("BadRequest", "createAlertInput." + field + " is required"));
                }
            }
            ObjectNode alert = JSON.createObjectNode().put("id", "ga" + ids.incrementAndGet())
                    .put("title", input.get("title").asText()).put("description", input.get("description").asText())
                    .put("status", "new").put("createdDateTime", Instant.now().toString());
            alerts.add(alert);
            return json(201, alert.toString());
        }
        return updateOrList(request, path, method, alerts);
    }

    /** PATCH {id}: the alert's new status, 404 for an id the tenant has no alert of; GET: the tenant's alerts. */
    private ResponseDefinition updateOrList(Request request, String path, String method, List<ObjectNode> alerts) {
        if ("PATCH".equals(method)) {
            String id = path.substring(path.lastIndexOf('/') + 1);
            for (ObjectNode alert : alerts) {
                if (alert.path("id").asText().equals(id)) {
                    alert.put("status", read(request.getBodyAsString()).path("status").asText(alert.path("status").asText()));
                    return json(200, alert.toString());
                }
            }
            return json(404, error("NotFound", "Alert " + id + " was not found"));
        }
        if ("GET".equals(method)) {
            // a page of the list from $skiptoken on; more behind @odata.nextLink, an absolute URL
            int from = 0;
            String skip = request.queryParameter("$skiptoken").isPresent() ? request.queryParameter("$skiptoken").firstValue() : null;
            if (skip != null) {
                from = Integer.parseInt(skip);
            }
            ArrayNode value = JSON.createArrayNode();
            for (int i = from; i < Math.min(alerts.size(), from + pageSize); i++) {
                value.add(alerts.get(i));
            }
            ObjectNode answer = JSON.createObjectNode();
            answer.set("value", value);
            if (from + pageSize < alerts.size()) {
                String url = request.getAbsoluteUrl().replaceAll("[?&]\\$skiptoken=[0-9]+", "");
                answer.put("@odata.nextLink", url + (url.contains("?") ? "&" : "?") + "$skiptoken=" + (from + pageSize));
            }
            return json(200, answer.toString());
        }
        return json(405, error("MethodNotAllowed", method));
    }

    /** Counts the call in the key's minute and hour windows; true (not counted) when either is full. */
    private boolean overQuota(String key, int perMinute, int perHour) {
        if (!quotas) {
            return false;
        }
        Deque<Long> times = calls.computeIfAbsent(key, k -> new ArrayDeque<>());
        long now = System.currentTimeMillis();
        long minute = minuteMillis;
        long hour = 60 * minute;
        synchronized (times) {
            while (!times.isEmpty() && times.peekFirst() <= now - hour) {
                times.pollFirst();
            }
            long inMinute = times.stream().filter(t -> t > now - minute).count();
            if (inMinute >= perMinute || perHour > 0 && times.size() >= perHour) {
                return true;
            }
            times.addLast(now);
            return false;
        }
    }

    private ResponseDefinition throttle() {
        throttled.incrementAndGet();
        return ResponseDefinitionBuilder.responseDefinition().withStatus(429).withHeader("Retry-After", "1")
                .withHeader("Content-Type", "application/json").withBody(error("TooManyRequests", "Rate limit is exceeded")).build();
    }

    private static String error(String code, String message) {
        return JSON.createObjectNode().set("error", JSON.createObjectNode().put("code", code).put("message", message)).toString();
    }

    private static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body).build();
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode();
        }
    }

}
