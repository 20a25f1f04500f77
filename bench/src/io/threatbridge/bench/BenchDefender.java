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
 * The benchmark's Defender: answers at once, counts creates per integration (path prefix), records
 * enqueue-to-Defender latency from a send time the benchmark puts into each event id
 * ("...-at-<epoch millis>"), enforces a per-tenant quota like Defender's (429 beyond it), and can be
 * told that a tenant is down (503).
 */
public final class BenchDefender implements ResponseDefinitionTransformerV2 {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong ids = new AtomicLong();
    final Map<String, AtomicLong> creates = new ConcurrentHashMap<>();
    final Map<String, List<Long>> latencies = new ConcurrentHashMap<>();
    final AtomicLong throttled = new AtomicLong();
    final Set<String> down = ConcurrentHashMap.newKeySet();
    private final Map<String, Deque<Long>> windows = new ConcurrentHashMap<>();
    private volatile int quota;
    private volatile long windowMillis;
    volatile long firstCreateAt;
    volatile long lastCreateAt;

    void enforceQuota(int perWindow, long window) {
        this.quota = perWindow;
        this.windowMillis = window;
    }

    void reset() {
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
        if (api < 0) {
            return event.getResponseDefinition();
        }
        String prefix = path.substring(0, api);
        if (down.contains(prefix)) {
            return json(503, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"down for the benchmark\"}}");
        }
        if (!path.endsWith("/CreateAlertByReference")) {
            return json(200, "{\"id\":\"x\",\"status\":\"Resolved\",\"value\":[]}");
        }
        long now = System.currentTimeMillis();
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
        String reportId = read(event.getRequest().getBodyAsString()).path("reportId").asText();
        int at = reportId.lastIndexOf("-at-");
        if (at > 0) {
            latencies.computeIfAbsent(prefix, p -> Collections.synchronizedList(new ArrayList<>()))
                    .add(now - Long.parseLong(reportId.substring(at + 4)));
        }
        creates.computeIfAbsent(prefix, p -> new AtomicLong()).incrementAndGet();
        if (firstCreateAt == 0) {
            firstCreateAt = now;
        }
        lastCreateAt = now;
        return json(200, "{\"id\":\"da" + ids.incrementAndGet() + "\"}");
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
