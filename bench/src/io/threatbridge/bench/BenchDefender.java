package io.threatbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's Defender: answers at once, counts creates and updates per integration (path
 * prefix), records enqueue-to-Defender latency from a send time the benchmark puts into each event
 * id ("...-at-<epoch millis>", read from the description's "Event id" line), enforces per-tenant
 * quotas like Defender's (429 beyond them: creates per window; updates per window and per 60
 * windows, Defender's 100 a minute and 1,500 an hour), and can be told that a tenant is down (503).
 * Graph's createAlert is answered and counted too (201 with a fresh id), as the creates of "graph".
 */
public final class BenchDefender implements ResponseDefinitionTransformerV2 {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GRAPH_CREATE = "/security/alerts_v2/createAlert";
    private final AtomicLong ids = new AtomicLong();
    final Map<String, AtomicLong> creates = new ConcurrentHashMap<>();
    final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    final AtomicLong throttled = new AtomicLong();
    final AtomicLong updates = new AtomicLong();
    private final List<Long> updateTimes = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Deque<Long>> updateWindows = new ConcurrentHashMap<>();
    private volatile int updatesPerWindow;
    private volatile int updatesPerHour;
    final Set<String> down = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<Long>> windows = new ConcurrentHashMap<>();
    private volatile int quota;
    private volatile long windowMillis;
    /** When each create reached the fake, by its event id (the first time), while {@link #recordCreates} is on. */
    final Map<String, Long> createdAt = new ConcurrentHashMap<>();
    private volatile boolean recordCreates;
    volatile long firstCreateAt;
    volatile long lastCreateAt;

    void enforceQuota(int perWindow, long window) {
        this.quota = perWindow;
        this.windowMillis = window;
    }

    /** Updates: at most perWindow in a window and perHour in 60 windows (0: no limit). */
    void enforceUpdateQuota(int perWindow, int perHour, long window) {
        this.updatesPerWindow = perWindow;
        this.updatesPerHour = perHour;
        this.windowMillis = window;
    }

    /** When each update was answered, in order. */
    List<Long> updateTimes() {
        synchronized (updateTimes) {
            return new ArrayList<>(updateTimes);
        }
    }

    /** Keep each create's event id and time in {@link #createdAt}: for scenarios that follow every event, not the long drains. */
    void recordCreates(boolean on) {
        recordCreates = on;
        createdAt.clear();
    }

    void reset() {
        updates.set(0);
        updateTimes.clear();
        updateWindows.clear();
        updatesPerWindow = 0;
        updatesPerHour = 0;
        creates.clear();
        latencies.clear();
        windows.clear();
        throttled.set(0);
        down.clear();
        firstCreateAt = 0;
        lastCreateAt = 0;
        quota = 0;
    }

    long totalCreates() {
        return creates.values().stream().mapToLong(AtomicLong::get).sum();
    }

    @Override
    public String getName() {
        return "bench-defender";
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        String path = event.getRequest().getUrl();
        int api = path.indexOf("/api/alerts");
        // Graph's createAlert: where api: auto sends an event with no Defender machine id (Zimperium's
        // records carry none), counted as creates of the prefix "graph"
        boolean graphCreate = path.endsWith(GRAPH_CREATE);
        if (api < 0 && !graphCreate) {
            return event.getResponseDefinition();
        }
        String prefix = graphCreate ? "graph" : path.substring(0, api);
        if (down.contains(prefix)) {
            return json(503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"down for the benchmark\"}}");
        }
        long now = System.currentTimeMillis();
        if (!graphCreate && !path.endsWith("/CreateAlertByReference")) {
            if (updatesPerWindow > 0 || updatesPerHour > 0) {
                Deque<Long> window = updateWindows.computeIfAbsent(prefix, p -> new ArrayDeque<>());
                synchronized (window) {
                    while (!window.isEmpty() && window.peekFirst() <= now - 60 * windowMillis) {
                        window.pollFirst();
                    }
                    long inWindow = window.stream().filter(t -> t > now - windowMillis).count();
                    if (updatesPerWindow > 0 && inWindow >= updatesPerWindow || updatesPerHour > 0 && window.size() >= updatesPerHour) {
                        throttled.incrementAndGet();
                        return json(429, "{\"error\":{\"code\":\"TooManyRequests\"}}");
                    }
                    window.addLast(now);
                }
            }
            updates.incrementAndGet();
            updateTimes.add(now);
            return json(200, "{\"id\":\"x\",\"status\":\"Resolved\",\"value\":[]}");
        }
        if (quota > 0) {
            Deque<Long> window = windows.computeIfAbsent(prefix, p -> new ArrayDeque<>());
            synchronized (window) {
                while (!window.isEmpty() && window.peekFirst() <= now - windowMillis) {
                    window.pollFirst();
                }
                if (window.size() >= quota) {
                    throttled.incrementAndGet();
                    return json(429, "{\"error\":{\"code\":\"TooManyRequests\"}}");
                }
                window.addLast(now);
            }
        }
        // the event is named by the description's "Event id" line (the reportId is the device's anchor)
        String eventId = read(event.getRequest().getBodyAsString()).path("description").asText().lines()
                .filter(line -> line.startsWith("Event id: ")).findFirst().orElse("");
        int at = eventId.lastIndexOf("-at-");
        if (at > 0) {
            latencies.computeIfAbsent(prefix, p -> Collections.synchronizedList(new ArrayList<>()))
                    .add(now - Long.parseLong(eventId.substring(at + 4)));
        }
        if (recordCreates && !eventId.isEmpty()) {
            createdAt.putIfAbsent(eventId.substring("Event id: ".length()), now);
        }
        creates.computeIfAbsent(prefix, p -> new AtomicLong()).incrementAndGet();
        if (firstCreateAt == 0) {
            firstCreateAt = now;
        }
        lastCreateAt = now;
        return graphCreate ? json(201, "{\"id\":\"ga" + ids.incrementAndGet() + "\",\"status\":\"new\"}")
                : json(200, "{\"id\":\"da" + ids.incrementAndGet() + "\"}");
    }

    private static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body).build();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
