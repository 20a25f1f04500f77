package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Accounts to integrations: one to many, many to one, and a disabled integration (interface.md section 3). */
class FanOutTest {

    @TempDir
    static Path dir;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: soc-a
                    tenantId: aaaaaaaa-0000-0000-0000-000000000001
                    accounts: [shared]
                  - name: soc-b
                    tenantId: bbbbbbbb-0000-0000-0000-000000000002
                    accounts: [shared, north, south]
                    apiUrl: https://eu.api.security.microsoft.com
                  - name: soc-off
                    tenantId: cccccccc-0000-0000-0000-000000000003
                    accounts: [dormant]
                    enabled: false
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
    }

    private List<JsonNode> linesFor(String eventId) {
        return bridge.dryRunLines().stream().filter(l -> l.get("eventId").asText().equals(eventId)).toList();
    }

    @Test
    void oneAccountFeedsTwoIntegrationsEachWithItsOwnTenantAndUrl() throws Exception {
        bridge.send(Events.event("fan-1", "shared", "thr-fan-1", "CRITICAL", "ACTIVE").toString());
        await().until(() -> linesFor("fan-1").size() == 2);
        List<JsonNode> lines = linesFor("fan-1");
        assertEquals(2, lines.size());
        JsonNode a = lines.stream().filter(l -> l.get("integration").asText().equals("soc-a")).findFirst().orElseThrow();
        JsonNode b = lines.stream().filter(l -> l.get("integration").asText().equals("soc-b")).findFirst().orElseThrow();
        assertEquals("aaaaaaaa-0000-0000-0000-000000000001", a.get("tenant").asText());
        assertEquals("https://api.security.microsoft.com/api/alerts/CreateAlertByReference", a.get("url").asText());
        assertEquals("bbbbbbbb-0000-0000-0000-000000000002", b.get("tenant").asText());
        assertEquals("https://eu.api.security.microsoft.com/api/alerts/CreateAlertByReference", b.get("url").asText());
        // each tenant has its own anchor (dry-run makes one up per tenant); the rest is the same alert
        com.fasterxml.jackson.databind.node.ObjectNode bodyA = a.get("body").deepCopy();
        com.fasterxml.jackson.databind.node.ObjectNode bodyB = b.get("body").deepCopy();
        bodyA.remove(List.of("reportId", "eventTime"));
        bodyB.remove(List.of("reportId", "eventTime"));
        assertEquals(bodyA, bodyB, "each gets the same alert of its own");
    }

    @Test
    void oneIntegrationServesSeveralAccounts() throws Exception {
        bridge.send(Events.event("north-1", "north", "thr-n", "CRITICAL", "ACTIVE").toString());
        bridge.send(Events.event("south-1", "south", "thr-s", "CRITICAL", "ACTIVE").toString());
        await().until(() -> linesFor("north-1").size() == 1 && linesFor("south-1").size() == 1);
        assertEquals("soc-b", linesFor("north-1").get(0).get("integration").asText());
        assertEquals("soc-b", linesFor("south-1").get(0).get("integration").asText());
        assertEquals(1, linesFor("north-1").size());
    }

    @Test
    void aDisabledIntegrationGetsNothingAndItsEventsAreNotInvalid() throws Exception {
        NotifyBuilder ingested = new NotifyBuilder(bridge.camel()).fromRoute("ingest").whenDone(1).create();
        bridge.send(Events.event("dormant-1", "dormant", "thr-d", "CRITICAL", "ACTIVE").toString());
        assertTrue(ingested.matches(30, TimeUnit.SECONDS));
        assertNull(bridge.receive("threats.invalid", 500));
        assertNull(bridge.receive("defender.out.soc-off", 500), "nothing queued for a disabled integration");
        assertTrue(linesFor("dormant-1").isEmpty());
    }

    @Test
    void aResolvedEventForAnUnknownThreatCreatesTheAlertThenResolvesIt() throws Exception {
        bridge.send(Events.event("res-1", "shared", "thr-res", "CRITICAL", "RESOLVED").toString());
        await().until(() -> linesFor("res-1").stream().filter(l -> l.get("integration").asText().equals("soc-a")).count() == 2);
        List<JsonNode> lines = linesFor("res-1").stream().filter(l -> l.get("integration").asText().equals("soc-a")).toList();
        assertEquals("create", lines.get(0).get("operation").asText());
        assertEquals("resolve", lines.get(1).get("operation").asText());
        assertEquals("PATCH", lines.get(1).get("method").asText());
        assertEquals("Resolved", lines.get(1).at("/body/status").asText());
        assertTrue(lines.get(1).get("path").asText().matches("/api/alerts/dry-run-[0-9a-f-]{36}"), "patches the alert it created");
    }

    @Test
    void aSecondCopyOfAnEventAndASecondActiveEventForTheSameThreatMakeNoSecondAlert() throws Exception {
        String event = Events.event("dup-1", "north", "thr-dup", "CRITICAL", "ACTIVE").toString();
        bridge.send(event);
        await().until(() -> linesFor("dup-1").size() == 1);
        bridge.send(event);
        // the same copy straight onto the delivery queue, at the priority ingest gives a critical event,
        // so it is delivered before dup-2 below
        bridge.sendToDelivery("soc-b", event, 9);
        bridge.send(Events.event("dup-2", "north", "thr-dup", "CRITICAL", "ACTIVE").toString());
        await().until(() -> bridge.store().isDone("soc-b", "dup-2"));
        assertEquals(1, linesFor("dup-1").size(), "a second copy of an event makes no second call");
        assertEquals(0, linesFor("dup-2").size(), "the threat has its alert already");
    }
}
