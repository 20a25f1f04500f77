package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.store.TestStores;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Integrations with `api: sentinel` (interface.md section 5d) end to end: the embedded broker, real
 * msal4j, real HTTPS to the strict fake of the Logs Ingestion API (FakeLogsIngestion), and a real
 * store, H2 and PostgreSQL where the store takes part.
 */
class SentinelDeliveryTest {

    static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
    static final String STREAM = "Custom-MobileThreats_CL";

    @TempDir
    Path dir;

    private static Map<String, String> settings(FakeLogsIngestion fake, String store, Path dir) throws Exception {
        Map<String, String> settings = new HashMap<>(fake.liveSettings());
        settings.put("bridge.delivery.max-attempts", "4");
        settings.put("bridge.delivery.initial-delay-ms", "200");
        settings.put("bridge.delivery.max-delay-ms", "1000");
        settings.putAll(TestStores.settings(store, dir));
        return settings;
    }

    private static String yaml(FakeLogsIngestion fake) {
        return "integrations:\n" + fake.integration("s", "tenant-s", "acme", DCR, STREAM);
    }

    private static String event(String id, String status) {
        return Events.event(id, "acme", "thr-" + id, "CRITICAL", status).toString();
    }

    static long counter(String integration, String attribute) throws Exception {
        return (Long) ManagementFactory.getPlatformMBeanServer()
                .getAttribute(new ObjectName("threatbridge:type=Integration,name=" + integration), attribute);
    }

    /**
     * Under load rows share calls (fewer calls than events), every row arrives exactly once, every
     * call holds at most 1 MB, and a second copy of a delivered event sends nothing: the store is
     * asked once per batch.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void batchesUnderLoadWithoutLosingOrDoublingARow(String store) throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings(fake, store, dir))) {
                Set<String> sent = new HashSet<>();
                for (int i = 0; i < 600; i++) {
                    String id = "load-" + i;
                    bridge.send(event(id, i % 3 == 2 ? "RESOLVED" : "ACTIVE"));
                    sent.add(id);
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> fake.rowCount() >= 600);
                List<String> ids = fake.eventIds();
                assertEquals(600, ids.size(), "no row doubled");
                assertEquals(sent, new HashSet<>(ids), "no row lost");
                assertTrue(fake.calls().size() < 100, "rows share calls: " + fake.calls().size() + " calls for 600 events");
                fake.calls().forEach(call -> assertTrue(call.bytes() <= FakeLogsIngestion.MAX_BYTES));
                await().atMost(Duration.ofSeconds(10)).until(() -> counter("s", "Delivered") == 600);

                // second copies of delivered events, then a new one: only the new one is sent
                for (int i = 0; i < 20; i++) {
                    bridge.send(event("load-" + i, "ACTIVE"));
                }
                bridge.send(event("after-copies", "ACTIVE"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.eventIds().contains("after-copies"));
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> fake.rowCount() == 601);
                assertEquals(0, counter("s", "DeadLettered"));
            }
        }
    }

    /**
     * Each batch opens a consumer and closes it after its commit; the messages the broker had sent
     * ahead to that consumer (its window) go back to the queue unconsumed. They must not count as
     * redeliveries: the broker parks a message after 20 (max-delivery-attempts), so with batches of
     * 10 the last of 400 events would be dead-lettered by the broker if they did.
     */
    @Test
    void manySmallBatchesDoNotUseUpTheBrokersRedeliveries() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.sentinel.max-rows", "10");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                for (int i = 0; i < 400; i++) {
                    bridge.send(event("small-batch-" + i, "ACTIVE"));
                }
                await().atMost(Duration.ofSeconds(90)).until(() -> fake.rowCount() >= 400);
                assertEquals(400, new HashSet<>(fake.eventIds()).size());
                assertEquals(400, fake.rowCount());
                assertTrue(fake.calls().size() >= 40, "batches of at most 10 rows");
                assertEquals(null, bridge.receive("threats.dlq", 500), "nothing parked by the broker");
            }
        }
    }

    /**
     * One Sentinel integration whose workspace keeps failing holds only its own events: another
     * integration's rows arrive as if nothing happened, and the failing one's arrive once its
     * workspace answers again. Paused, an integration keeps its events queued until resumed.
     */
    @Test
    void aFailingWorkspaceHoldsOnlyItsOwnIntegrationAndPauseKeepsEventsQueued() throws Exception {
        String otherDcr = "dcr-fedcba9876543210fedcba9876543210";
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            fake.rule(otherDcr, STREAM);
            fake.failRule(otherDcr, 503);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.delivery.max-attempts", "50");
            String yaml = yaml(fake) + fake.integration("down", "tenant-down", "other", otherDcr, STREAM);
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                for (int i = 0; i < 20; i++) {
                    bridge.send(Events.event("iso-down-" + i, "other", "thr-d" + i, "CRITICAL", "ACTIVE").toString());
                    bridge.send(event("iso-up-" + i, "ACTIVE"));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.rowCount() == 20);
                assertTrue(fake.eventIds().stream().allMatch(id -> id.startsWith("iso-up-")));
                // the failing call and the healthy one go out together: either may be answered first
                await().atMost(Duration.ofSeconds(20)).until(() -> counter("down", "Retried") > 0);
                fake.failRule(otherDcr, 0);
                await().atMost(Duration.ofSeconds(60)).until(() -> fake.rowCount() == 40);
                assertEquals(40, new HashSet<>(fake.eventIds()).size());

                ObjectName mbean = new ObjectName("threatbridge:type=Integration,name=s");
                ManagementFactory.getPlatformMBeanServer().invoke(mbean, "pause", null, null);
                bridge.send(event("while-paused", "ACTIVE"));
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> fake.rowCount() == 40);
                ManagementFactory.getPlatformMBeanServer().invoke(mbean, "resume", null, null);
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.eventIds().contains("while-paused"));
            }
        }
    }

    /**
     * A changed integrations file applies without a restart: an integration switched from
     * `api: endpoint` to `api: sentinel` gets the route of its new API (the endpoint route would post
     * to /api/alerts, which the fake answers 404), and a sentinel integration added later gets one.
     */
    @Test
    void aReloadGivesAnIntegrationTheRouteOfItsNewApi() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.integrations-reload-ms", "200");
            // the endpoint entry's apiUrl is the fake's: a host the bridge allows only as its own API URL
            settings.put("bridge.defender.api-url", fake.baseUrl());
            String asEndpoint = "integrations:\n  - name: s\n    tenantId: tenant-s\n    accounts: [acme]\n"
                    + "    filterLevel: NORMAL_AND_ABOVE\n    apiUrl: " + fake.baseUrl() + "\n";
            try (BridgeHarness bridge = BridgeHarness.start(dir, asEndpoint, settings)) {
                Path file = dir.resolve("integrations.yaml");
                Files.writeString(file, yaml(fake));
                Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
                await().atMost(Duration.ofSeconds(10)).until(() -> bridge.camel().getRoute("deliver-s") != null
                        && bridge.camel().getRoute("deliver-s").getEndpoint().getEndpointUri().startsWith("timer:"));
                bridge.send(event("after-switch", "ACTIVE"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.eventIds().contains("after-switch"));

                Files.writeString(file, yaml(fake) + fake.integration("added", "tenant-added", "other", DCR, STREAM));
                Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 4000));
                await().atMost(Duration.ofSeconds(10)).until(() -> bridge.camel().getRoute("deliver-added") != null);
                bridge.send(Events.event("to-added", "other", "thr-added", "LOW", "ACTIVE").toString());
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.eventIds().contains("to-added"));
                assertEquals(null, bridge.receive("threats.dlq", 200));
            }
        }
    }

    /** One event alone is not held for company: its call goes out within bridge.sentinel.batch-wait-ms. */
    @Test
    void aQuietEventIsSentWithinTheBoundedWait() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.sentinel.batch-wait-ms", "1000");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                // the first call also waits for the tenant's first token: not part of what is measured
                bridge.send(event("warm-up", "ACTIVE"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.rowCount() == 1);
                long sentAt = System.currentTimeMillis();
                bridge.send(event("quiet", "ACTIVE"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.rowCount() == 2);
                long took = fake.calls().get(1).atMillis() - sentAt;
                assertEquals(List.of("quiet"), fake.calls().get(1).rows().stream().map(row -> row.path("EventId").asText()).toList());
                // 1 s of batch wait, and a generous allowance for a shared machine: far below any
                // "until the batch is full" (it never would be)
                assertTrue(took < 1000 + 2500, "the quiet event's call went out after " + took + " ms");
            }
        }
    }

    /** The row's columns and values as section 5d lists them, for an ACTIVE and a RESOLVED event. */
    @Test
    void rowsHoldExactlyTheColumnsOfTheContract() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings(fake, "h2", dir))) {
                bridge.send(event("row-active", "ACTIVE"));
                bridge.send(event("row-resolved", "RESOLVED"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.rowCount() == 2);
                Map<String, JsonNode> rows = new HashMap<>();
                fake.calls().forEach(call -> call.rows().forEach(row -> rows.put(row.path("EventId").asText(), row)));
                JsonNode active = rows.get("row-active");
                ObjectNode sample = Events.sample("critical-mitm.json");
                assertEquals(sample.at("/threat/detectedAt").asText(), active.path("TimeGenerated").asText());
                assertEquals("acme", active.path("AccountId").asText());
                assertEquals("s", active.path("Integration").asText());
                assertEquals("thr-row-active", active.path("ThreatId").asText());
                assertEquals("CRITICAL", active.path("Severity").asText());
                assertEquals("ACTIVE", active.path("Status").asText());
                assertEquals(sample.at("/device/defenderMachineId").asText(), active.path("DefenderMachineId").asText());
                assertEquals(sample.at("/user/email").asText(), active.path("UserEmail").asText());
                assertEquals(sample.get("forensics"), active.path("Forensics"), "the forensics object as it came");
                JsonNode resolved = rows.get("row-resolved");
                assertEquals("RESOLVED", resolved.path("Status").asText());
                assertEquals("2026-11-27T11:00:00Z", resolved.path("TimeGenerated").asText(), "resolvedAt for a RESOLVED event");
            }
        }
    }

    /** 429: no call before Retry-After, no attempt used, nothing lost or doubled; RateLimited counts it. */
    @Test
    void aThrottledCallWaitsForRetryAfter() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            fake.failNext(1, 429, "2");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings(fake, "h2", dir))) {
                long sentAt = System.currentTimeMillis();
                for (int i = 0; i < 5; i++) {
                    bridge.send(event("throttled-" + i, "ACTIVE"));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> fake.rowCount() == 5);
                assertEquals(List.of(429), fake.refusals());
                assertTrue(fake.calls().get(0).atMillis() - sentAt >= 2000, "no call before Retry-After");
                assertEquals(5, new HashSet<>(fake.eventIds()).size());
                assertEquals(1, counter("s", "RateLimited"));
                assertEquals(0, counter("s", "DeadLettered"));
            }
        }
    }

    /** 5xx and dropped connections: the batch goes back to its queue with back-off and arrives once. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void serverErrorsAndDroppedConnectionsAreRetried(String store) throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            fake.failNext(1, 503, null);
            fake.dropNext(1);
            fake.failNext(1, 500, null);
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings(fake, store, dir))) {
                for (int i = 0; i < 10; i++) {
                    bridge.send(event("flaky-" + i, "ACTIVE"));
                }
                await().atMost(Duration.ofSeconds(40)).until(() -> fake.rowCount() >= 10);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> fake.rowCount() == 10);
                assertEquals(10, new HashSet<>(fake.eventIds()).size());
                assertTrue(counter("s", "Retried") >= 3, "Retried counts each failed event's attempt");
                assertEquals(0, counter("s", "DeadLettered"));
                assertEquals(10, counter("s", "Delivered"));
            }
        }
    }

    /**
     * A row the service refuses for good costs only its own event: the call of several rows is
     * refused, each row then goes alone, and only the bad one lands on the dead-letter queue with
     * the status and the reason.
     */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aRefusedRowGoesToTheDeadLetterQueueAlone(String store) throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            fake.refuseEvent("bad-row", 400);
            Map<String, String> settings = settings(fake, store, dir);
            settings.put("bridge.sentinel.batch-wait-ms", "3000");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                bridge.send(event("good-1", "ACTIVE"));
                bridge.send(event("bad-row", "ACTIVE"));
                bridge.send(event("good-2", "ACTIVE"));
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead, "the refused event is on the dead-letter queue");
                assertTrue(BridgeHarness.text(dead).contains("\"bad-row\""), "its original body");
                assertEquals("s", dead.getStringProperty("bridgeIntegration"));
                assertEquals(400, dead.getIntProperty("bridgeHttpStatus"));
                assertTrue(dead.getStringProperty("bridgeError").startsWith("Sentinel answered 400"), dead.getStringProperty("bridgeError"));
                assertEquals("bad-row", dead.getStringProperty("bridgeEventId"));
                await().atMost(Duration.ofSeconds(10)).until(() -> fake.rowCount() == 2);
                assertEquals(Set.of("good-1", "good-2"), new HashSet<>(fake.eventIds()));
                assertEquals(1, counter("s", "DeadLettered"));
                assertEquals(2, counter("s", "Delivered"));
            }
        }
    }

    /**
     * Large events are packed so that no call exceeds the 1 MB the fake (like the service) allows:
     * five rows of about 250 KB make at least two calls, all accepted.
     */
    @Test
    void largeRowsArePackedWithinOneMegabytePerCall() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.sentinel.batch-wait-ms", "3000");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                for (int i = 0; i < 5; i++) {
                    bridge.send(large("large-" + i, 4));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> fake.rowCount() == 5);
                assertEquals(List.of(), fake.refusals(), "no call refused (413 above 1 MB)");
                assertTrue(fake.calls().size() >= 2, "five rows of ~250 KB cannot share one call");
                fake.calls().forEach(call -> assertTrue(call.bytes() <= FakeLogsIngestion.MAX_BYTES, call.bytes() + " bytes"));
            }
        }
    }

    /**
     * A row larger than bridge.sentinel.max-call-bytes goes alone in its call while the small rows
     * around it share theirs; refused with 413 it goes to the dead-letter queue. (No event within the
     * inbound limit of 256 KiB makes a row above the service's 1 MB, so the limit is lowered here,
     * and the fake's 413 stands for the service's.)
     */
    @Test
    void anOversizedEventGoesAloneInItsCall() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.sentinel.max-call-bytes", "40000");
            settings.put("bridge.sentinel.batch-wait-ms", "3000");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                bridge.send(event("small-1", "ACTIVE"));
                bridge.send(large("big-1", 1));
                bridge.send(event("small-2", "ACTIVE"));
                await().atMost(Duration.ofSeconds(30)).until(() -> fake.rowCount() == 3);
                for (FakeLogsIngestion.Call call : fake.calls()) {
                    List<String> ids = call.rows().stream().map(row -> row.path("EventId").asText()).toList();
                    if (ids.contains("big-1")) {
                        assertEquals(List.of("big-1"), ids, "the oversized row is alone in its call");
                    }
                }
                assertTrue(fake.calls().stream().anyMatch(call -> call.rows().size() == 2), "the small rows shared a call");

                fake.refuseEvent("big-2", 413);
                bridge.send(large("big-2", 1));
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead);
                assertEquals(413, dead.getIntProperty("bridgeHttpStatus"));
                assertEquals("big-2", dead.getStringProperty("bridgeEventId"));
            }
        }
    }

    /** A token issued for another audience is refused with 401; the bridge asks for https://monitor.azure.com/.default. */
    @Test
    void aRefusedTokenIsRenewedOnce() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            fake.failNext(1, 401, null);
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings(fake, "h2", dir))) {
                bridge.send(event("after-401", "ACTIVE"));
                await().atMost(Duration.ofSeconds(20)).until(() -> fake.rowCount() == 1);
                assertEquals(List.of(401), fake.refusals());
                assertEquals(0, counter("s", "DeadLettered"));
            }
        }
    }

    /** A bridge asking for a token of another audience is refused (401 twice): the event goes to the dead-letter queue. */
    @Test
    void aTokenForAnotherAudienceEndsOnTheDeadLetterQueue() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = settings(fake, "h2", dir);
            settings.put("bridge.sentinel.scope", "https://graph.microsoft.com/.default");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                bridge.send(event("wrong-audience", "ACTIVE"));
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead);
                assertEquals(401, dead.getIntProperty("bridgeHttpStatus"));
                assertEquals(List.of(401, 401), fake.refusals(), "one fresh token, once");
                assertEquals(0, fake.rowCount());
            }
        }
    }

    /** Dry-run: each call is a line of dry-run-sentinel.jsonl, nothing is posted. */
    @Test
    void dryRunWritesTheCallsItWouldMake() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(DCR, STREAM);
            Map<String, String> settings = new HashMap<>(TestStores.settings("h2", dir));
            settings.putAll(fake.hostSettings());
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml(fake), settings)) {
                bridge.send(event("dry-1", "ACTIVE"));
                Path file = bridge.dataDir.resolve("dry-run-sentinel.jsonl");
                await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file) && Files.readString(file).contains("dry-1"));
                String line = Files.readAllLines(file).get(0);
                assertTrue(line.contains("\"url\":\"" + fake.baseUrl() + "/dataCollectionRules/" + DCR + "/streams/" + STREAM
                        + "?api-version=2023-01-01\""), line);
                assertEquals(0, fake.rowCount());
            }
        }
    }

    /** An event of about {@code quarters} x 62 KB: forensics strings just below the 64 KiB string limit. */
    static String large(String id, int quarters) {
        ObjectNode event = Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE");
        ObjectNode forensics = event.putObject("forensics");
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < quarters; i++) {
            keys.add("blob" + i);
        }
        keys.forEach(key -> forensics.put(key, "x".repeat(62_000)));
        return event.toString();
    }
}
