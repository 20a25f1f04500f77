package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import io.threatbridge.FakeHttps;
import io.threatbridge.MicrosoftRules;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;

/**
 * Azure AD's token endpoint and the Azure Monitor Logs Ingestion API, faked over real HTTPS (the
 * test certificate of src/test/resources/tls) and as strict as the documented service:
 * <ul>
 * <li>POST {endpoint}/dataCollectionRules/{immutableId}/streams/{stream}?api-version=2023-01-01
 *     (Logs Ingestion API REST reference): another method or path is 404, an unknown rule or a
 *     stream the rule does not declare is 404, another api-version 400;</li>
 * <li>a bearer token Azure AD issued for https://monitor.azure.com/.default (the API's audience,
 *     logs-ingestion-api-overview, "Authentication"); no token, or one for another audience, 401;</li>
 * <li>Content-Type application/json, else 415; a body above 1 MB, 413 (Azure Monitor service
 *     limits, "Logs Ingestion API": 1 MB per call; taken as 1,000,000 bytes, the stricter
 *     reading); a body that is not a JSON array of objects with exactly the columns the rule's
 *     stream declares (interface.md 5d), 400;</li>
 * <li>success is 204 No Content.</li>
 * </ul>
 * Faults can be injected: the next calls answered with a status (429 with Retry-After, 5xx), the
 * next calls' connections dropped, answers delayed, any call holding a given event's row refused.
 * Every accepted row is kept in the order it came, with the call it came in.
 */
public final class FakeLogsIngestion implements ResponseDefinitionTransformerV2, AutoCloseable {

    public static final String CLIENT_ID = io.threatbridge.FakeMicrosoft.CLIENT_ID;
    public static final String CLIENT_SECRET = io.threatbridge.FakeMicrosoft.CLIENT_SECRET;
    public static final String MONITOR_AUDIENCE = "https://monitor.azure.com";
    public static final String MONITOR_SCOPE = MONITOR_AUDIENCE + "/.default";
    public static final int MAX_BYTES = 1_000_000;
    public static final String API_VERSION = "2023-01-01";
    /**
     * The columns the stream declares: interface.md section 5d, written out here and in
     * docs/sentinel/ rather than taken from the bridge, so that a wrong row is refused.
     */
    public static final Set<String> COLUMNS = Set.of("TimeGenerated", "EventId", "AccountId", "Integration", "ThreatId",
            "ThreatName", "ThreatType", "Category", "Severity", "Status", "DeviceId", "DefenderMachineId", "DeviceName",
            "DeviceModel", "Os", "OsVersion", "Managed", "UserName", "UserEmail", "Forensics", "RecommendedAction");

    /** One accepted call: its rows, in order. */
    public record Call(List<JsonNode> rows, int bytes, long atMillis) {
    }

    private record Fail(int status, String retryAfter, boolean drop) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WireMockServer server;
    private final Map<String, String> rules = new ConcurrentHashMap<>();
    private final MicrosoftRules azureAd = new MicrosoftRules(CLIENT_ID, CLIENT_SECRET);
    private final Deque<Fail> faults = new ConcurrentLinkedDeque<>();
    private final Map<String, Integer> refusedEvents = new ConcurrentHashMap<>();
    private final Map<String, Integer> failingRules = new ConcurrentHashMap<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Integer> refusals = new CopyOnWriteArrayList<>();
    private final boolean keepRows;
    private volatile long delayMs;
    private final AtomicLong rowTotal = new AtomicLong();
    private volatile long firstRowAt;
    private volatile long lastRowAt;

    public FakeLogsIngestion() {
        this(true);
    }

    /** @param keepRows false for benchmarks: only counts and call sizes are kept, not the rows */
    public FakeLogsIngestion(boolean keepRows) {
        this.keepRows = keepRows;
        server = FakeHttps.start(false, this);
        server.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.responseDefinition().withStatus(404)));
    }

    @Override
    public String getName() {
        return "fake-logs-ingestion";
    }

    public String baseUrl() {
        return "https://127.0.0.1:" + server.httpsPort();
    }

    /** A data collection rule the fake knows, with the one stream it declares. */
    public void rule(String immutableId, String stream) {
        rules.put(immutableId, stream);
    }

    /**
     * The setting that lets an integration's ingestionUrl name this fake: only Azure Monitor's
     * ingestion hosts are allowed by default (bridge.sentinel.allowed-hosts).
     */
    public Map<String, String> hostSettings() {
        return Map.of("bridge.sentinel.allowed-hosts", "127.0.0.1");
    }

    /** The settings that point a bridge at this fake, in live mode ({@link #hostSettings()} among them). */
    public Map<String, String> liveSettings() {
        Map<String, String> settings = new java.util.HashMap<>(hostSettings());
        settings.putAll(Map.of("bridge.auth.client-id", CLIENT_ID,
                "bridge.auth.client-secret", CLIENT_SECRET,
                "bridge.auth.authority-url", baseUrl()));
        return Map.copyOf(settings);
    }

    /** An integrations file entry with api: sentinel at this fake. */
    public String integration(String name, String tenant, String account, String dcr, String stream) {
        return "  - name: " + name + "\n    tenantId: " + tenant + "\n    accounts: [" + account + "]\n"
                + "    filterLevel: NORMAL_AND_ABOVE\n    api: sentinel\n    sentinel:\n"
                + "      ingestionUrl: " + baseUrl() + "\n      dcrImmutableId: " + dcr + "\n      stream: " + stream + "\n";
    }

    /** The next {@code count} ingestion calls answer {@code status} (with Retry-After when not null). */
    public void failNext(int count, int status, String retryAfter) {
        for (int i = 0; i < count; i++) {
            faults.add(new Fail(status, retryAfter, false));
        }
    }

    /** The next {@code count} ingestion calls lose their connection without an answer. */
    public void dropNext(int count) {
        for (int i = 0; i < count; i++) {
            faults.add(new Fail(0, null, true));
        }
    }

    /** Every call holding this event's row is refused with {@code status}, as the service refuses a bad row. */
    public void refuseEvent(String eventId, int status) {
        refusedEvents.put(eventId, status);
    }

    /** Every call to this rule answers {@code status} (0: the rule answers normally again). */
    public void failRule(String immutableId, int status) {
        if (status == 0) {
            failingRules.remove(immutableId);
        } else {
            failingRules.put(immutableId, status);
        }
    }

    /** Accepted calls are answered this much later (the rows count as ingested when they arrive). */
    public void delayAnswers(long ms) {
        delayMs = ms;
    }

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    /** The EventId of every accepted row, in the order they came (a duplicate appears twice). */
    public List<String> eventIds() {
        List<String> ids = new ArrayList<>();
        for (Call call : calls) {
            call.rows().forEach(row -> ids.add(row.path("EventId").asText()));
        }
        return ids;
    }

    /** Rows accepted so far (also when rows are not kept). */
    public long rowCount() {
        return rowTotal.get();
    }

    /** When the first and the last accepted call arrived (epoch millis; 0: none yet). */
    public long firstRowAt() {
        return firstRowAt;
    }

    public long lastRowAt() {
        return lastRowAt;
    }

    /** The statuses of refused ingestion calls, in order. */
    public List<Integer> refusals() {
        return List.copyOf(refusals);
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        Request request = event.getRequest();
        String url = request.getUrl();
        String path = url.split("\\?", 2)[0];
        if (request.getMethod().getName().equals("POST") && path.matches("/[^/]+/oauth2/v2.0/token")) {
            // Azure AD's rules, the same as for the other fakes: a token for one audience and tenant
            return azureAd.transform(event);
        }
        return ingest(request, url, path);
    }

    private ResponseDefinition ingest(Request request, String url, String path) {
        String[] parts = path.split("/");
        // "", dataCollectionRules, {id}, streams, {stream}
        if (!request.getMethod().getName().equals("POST") || parts.length != 5 || !parts[1].equals("dataCollectionRules")
                || !parts[3].equals("streams")) {
            return refuse(404, "NotFound", "no such operation: " + request.getMethod().getName() + " " + path);
        }
        String authorization = request.getHeader("Authorization");
        MicrosoftRules.Grant grant = azureAd.grant(authorization);
        if (grant == null || !MONITOR_AUDIENCE.equals(grant.audience())) {
            return refuse(401, "InvalidToken", "the token is missing or not issued for https://monitor.azure.com");
        }
        String stream = rules.get(parts[2]);
        if (stream == null) {
            return refuse(404, "NotFound", "data collection rule " + parts[2] + " not found");
        }
        if (!stream.equals(parts[4])) {
            return refuse(404, "InvalidStream", "the rule declares no stream " + parts[4]);
        }
        if (!url.contains("?api-version=" + API_VERSION) && !url.contains("&api-version=" + API_VERSION)) {
            return refuse(400, "InvalidApiVersion", "api-version must be " + API_VERSION);
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            return refuse(415, "UnsupportedMediaType", "Content-Type must be application/json");
        }
        byte[] body = request.getBody();
        if (body.length > MAX_BYTES) {
            return refuse(413, "ContentLengthLimitExceeded", "the body is " + body.length + " bytes, the limit is 1 MB");
        }
        Integer ruleDown = failingRules.get(parts[2]);
        if (ruleDown != null) {
            return refuse(ruleDown, "Injected" + ruleDown, "this rule fails for the test");
        }
        Fail fault = faults.poll();
        if (fault != null) {
            if (fault.drop()) {
                return ResponseDefinitionBuilder.responseDefinition().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
            }
            refusals.add(fault.status());
            ResponseDefinitionBuilder answer = ResponseDefinitionBuilder.responseDefinition().withStatus(fault.status())
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"error\":{\"code\":\"Injected" + fault.status() + "\",\"message\":\"injected by the test\"}}");
            if (fault.retryAfter() != null) {
                answer.withHeader("Retry-After", fault.retryAfter());
            }
            return answer.build();
        }
        JsonNode rows;
        try {
            rows = JSON.readTree(body);
        } catch (java.io.IOException e) {
            return refuse(400, "InvalidJson", "the body is not JSON");
        }
        if (rows == null || !rows.isArray() || rows.isEmpty()) {
            return refuse(400, "InvalidPayload", "the body must be a non-empty JSON array of rows");
        }
        Set<String> columns = COLUMNS;
        List<JsonNode> accepted = new ArrayList<>();
        for (JsonNode row : rows) {
            if (!row.isObject()) {
                return refuse(400, "InvalidPayload", "a row is not a JSON object");
            }
            Set<String> names = new HashSet<>();
            for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
                names.add(it.next());
            }
            if (!names.equals(columns)) {
                return refuse(400, "InvalidPayload", "a row's columns are not the stream's: " + names);
            }
            Integer refused = refusedEvents.get(row.path("EventId").asText());
            if (refused != null) {
                return refuse(refused, "Refused", "row of event " + row.path("EventId").asText() + " refused by the test");
            }
            accepted.add(row);
        }
        long now = System.currentTimeMillis();
        if (keepRows) {
            calls.add(new Call(List.copyOf(accepted), body.length, now));
        } else {
            calls.add(new Call(List.of(), body.length, now));
        }
        if (firstRowAt == 0) {
            firstRowAt = now;
        }
        lastRowAt = now;
        rowTotal.addAndGet(accepted.size());
        ResponseDefinitionBuilder ok = ResponseDefinitionBuilder.responseDefinition().withStatus(204);
        if (delayMs > 0) {
            ok.withFixedDelay((int) delayMs);
        }
        return ok.build();
    }

    private ResponseDefinition refuse(int status, String code, String message) {
        refusals.add(status);
        return json(status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}}");
    }

    private static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body).build();
    }

    @Override
    public void close() {
        server.stop();
    }
}
