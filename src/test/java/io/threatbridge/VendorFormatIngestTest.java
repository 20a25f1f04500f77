package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.Message;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vendor records through the real bridge (embedded Artemis, routes/*.yaml, the store, dry-run
 * delivery): a bad record of an array goes to the invalid queue alone while the others are
 * delivered (interface.md 4b), and a Zimperium record sent twice, or a threat record after its
 * mitigation record, gives one alert, resolved (section 4: "a later ACTIVE event for a threat that
 * already has an alert there creates no second one").
 */
class VendorFormatIngestTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        // api: graph, since Zimperium's records carry no Defender machine id
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme, acme-2]
                    filterLevel: LOW_AND_ABOVE
                    api: graph
                """);
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
    }

    static ObjectNode sample(String path) throws Exception {
        return (ObjectNode) JSON.readTree(Path.of("samples", path).toFile());
    }

    static List<JsonNode> linesOf(String threatId) {
        return bridge.dryRunLines().stream().filter(line -> line.path("threatId").asText().equals(threatId)).toList();
    }

    static List<String> operationsOf(String threatId) {
        return linesOf(threatId).stream().map(line -> line.path("operation").asText()).toList();
    }

    @Test
    void aBadRecordOfAnArrayGoesToTheInvalidQueueAloneAndTheOthersAreDelivered() throws Exception {
        String body = Files.readString(Path.of("samples/zimperium/threats-batch-one-bad.json"));
        ArrayNode records = (ArrayNode) JSON.readTree(body);
        bridge.sendFormat("zimperium", body);

        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf("7a1c3e5f-2b4d-4c6e-9f80-a1b2c3d4e5f6").size() == 1
                && operationsOf("c0ffee00-1d2e-4f3a-8b5c-6d7e8f9a0b1c").size() == 1);
        Message invalid = bridge.receive("threats.invalid", "bridgeError LIKE '%SEVERE%'", 10_000);
        assertNotNull(invalid);
        assertEquals(records.get(2), JSON.readTree(BridgeHarness.text(invalid)), "the invalid queue gets the record, not the array");
        assertEquals("zimperium record 3 of 3: severity_name: 'SEVERE' is not one of CRITICAL, ELEVATED, LOW, NORMAL (threat.severity)",
                invalid.getStringProperty("bridgeError"));
        assertNull(bridge.receive("threats.invalid", "bridgeError LIKE '%SEVERE%'", 1_000), "one bad record, one invalid message");
        assertEquals(List.of("create"), operationsOf("7a1c3e5f-2b4d-4c6e-9f80-a1b2c3d4e5f6"));
        JsonNode create = linesOf("7a1c3e5f-2b4d-4c6e-9f80-a1b2c3d4e5f6").get(0);
        assertEquals("zimperium:7a1c3e5f-2b4d-4c6e-9f80-a1b2c3d4e5f6:active", create.path("eventId").asText());
        assertTrue(create.path("body").toString().contains("Suspicious Android App"), create.toString());
        assertTrue(linesOf("0badc0de-0000-4000-8000-000000000000").isEmpty());
    }

    @Test
    void aMessageThatCannotBeSplitGoesToTheInvalidQueueWhole() throws Exception {
        bridge.sendFormat("zimperium", "[{\"threat_uuid\": \"x\"}, ");
        Message invalid = bridge.receive("threats.invalid", "bridgeError LIKE 'message body: not valid JSON%'", 30_000);
        assertNotNull(invalid);
        assertEquals("[{\"threat_uuid\": \"x\"}, ", BridgeHarness.text(invalid));
        assertTrue(invalid.getStringProperty("bridgeError").startsWith("message body: not valid JSON"), invalid.getStringProperty("bridgeError"));

        bridge.sendFormat("zimperum", Files.readString(Path.of("samples/zimperium/threat-arp-mitm.json")));
        invalid = bridge.receive("threats.invalid", "bridgeFormat = 'zimperum'", 30_000);
        assertNotNull(invalid);
        assertTrue(invalid.getStringProperty("bridgeError").startsWith("bridgeFormat: 'zimperum' is not a known format"));
    }

    @Test
    void anUnknownAccountIsNamedByTheVendorsField() throws Exception {
        ObjectNode record = sample("zimperium/threat-arp-mitm.json").put("account_id", "nobody");
        bridge.sendFormat("zimperium", record.toString());
        Message invalid = bridge.receive("threats.invalid", "bridgeError LIKE '%nobody%'", 30_000);
        assertNotNull(invalid);
        assertTrue(invalid.getStringProperty("bridgeError").startsWith(
                "zimperium record: account_id (accountId): 'nobody' is not an account of any integration"), invalid.getStringProperty("bridgeError"));
        assertEquals(record, JSON.readTree(BridgeHarness.text(invalid)));
    }

    @Test
    void theSameRecordTwiceAndThenItsMitigationGiveOneAlertResolved() throws Exception {
        ObjectNode threat = sample("zimperium/threat-arp-mitm.json").put("account_id", "acme-2");
        ObjectNode mitigation = sample("zimperium/mitigation-arp-mitm.json").put("account_id", "acme-2");
        String threatId = threat.path("threat_uuid").asText();
        bridge.sendFormat("zimperium", threat.toString());
        bridge.sendFormat("zimperium", threat.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("contoso", "zimperium:" + threatId + ":active"));
        bridge.sendFormat("zimperium", mitigation.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf(threatId).contains("resolve"));
        assertEquals(List.of("create", "resolve"), operationsOf(threatId));
    }

    @Test
    void aThreatRecordAfterItsMitigationRecordGivesOneAlertResolved() throws Exception {
        // a threat of its own (threat_uuid) so the other tests' alerts do not count
        String threatId = "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f";
        ObjectNode threat = sample("zimperium/threat-arp-mitm.json").put("threat_uuid", threatId);
        ObjectNode mitigation = sample("zimperium/mitigation-arp-mitm.json").put("threat_uuid", threatId);
        // one message, the mitigation first: the order an export may send them in
        ArrayNode outOfOrder = JSON.createArrayNode().add(mitigation).add(threat);
        bridge.sendFormat("zimperium", outOfOrder.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("contoso", "zimperium:" + threatId + ":active")
                && bridge.store().isDone("contoso", "zimperium:" + threatId + ":resolved"));
        assertEquals(List.of("create", "resolve"), operationsOf(threatId), "the later ACTIVE event created no second alert");

        // and again, as two messages, the threat record long after
        bridge.sendFormat("zimperium", threat.toString());
        bridge.sendFormat("zimperium", outOfOrder.toString());
        bridge.send(Events.event("marker-" + threatId, "acme", "marker-" + threatId, "CRITICAL", "ACTIVE").toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf("marker-" + threatId).size() == 1);
        assertEquals(List.of("create", "resolve"), operationsOf(threatId));
    }

    /**
     * The ingest transaction covers the whole message: a failure at the array's last record rolls
     * back the sends of the records before it (the bad record's invalid copy included), and the
     * redelivered message gives each of them once.
     */
    @Test
    void aFailureMidArrayRollsTheWholeMessageBackAndTheRedeliveryGivesEachRecordOnce() throws Exception {
        ObjectNode bad = sample("zimperium/threat-arp-mitm.json").put("threat_uuid", "tx-bad").put("severity_name", "VERY_HIGH");
        ObjectNode first = sample("zimperium/threat-arp-mitm.json").put("threat_uuid", "tx-1");
        ObjectNode last = sample("zimperium/threat-arp-mitm.json").put("threat_uuid", "tx-2");
        AtomicInteger failures = new AtomicInteger();
        // the first send of tx-2's event to its delivery queue fails, as a broker refusing a send would
        AdviceWith.adviceWith(bridge.camel(), "route-event", route -> route.interceptSendToEndpoint("jms:queue:defender.out*")
                .when(exchange -> "tx-2".equals(exchange.getProperty("threatId")) && failures.getAndIncrement() == 0)
                .throwException(new IllegalStateException("injected: the send of tx-2 fails once")));
        bridge.sendFormat("zimperium", JSON.createArrayNode().add(bad).add(first).add(last).toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf("tx-1").size() == 1 && operationsOf("tx-2").size() == 1);
        assertEquals(2, failures.get(), "tx-2's send failed once and went through on the redelivery");
        Message invalid = bridge.receive("threats.invalid", "bridgeError LIKE '%VERY_HIGH%'", 10_000);
        assertNotNull(invalid);
        assertEquals(bad, JSON.readTree(BridgeHarness.text(invalid)));
        assertNull(bridge.receive("threats.invalid", "bridgeError LIKE '%VERY_HIGH%'", 2_000),
                "the first attempt's invalid copy was rolled back with the rest");
        assertEquals(List.of("create"), operationsOf("tx-1"));
        // the interceptor stays on route-event: it fails tx-2 only, and only once
    }

    @Test
    void aLookoutAndAJamfSampleAreDelivered() throws Exception {
        bridge.sendFormat("lookout", Files.readString(Path.of("samples/lookout/threat-trojan-app.json")));
        bridge.sendFormat("jamf", Files.readString(Path.of("samples/jamf/threat-risky-host.json")));
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf("lk-thr-5521").size() == 1
                && operationsOf("5e8d1c2b-7a94-4f30-b6e1-0d9c8a7b6f54").size() == 1);
        assertEquals("lookout:0192f3a8-4b6c-7d8e-9f01-23456789abcd", linesOf("lk-thr-5521").get(0).path("eventId").asText());
        assertEquals("jamf:5e8d1c2b-7a94-4f30-b6e1-0d9c8a7b6f54",
                linesOf("5e8d1c2b-7a94-4f30-b6e1-0d9c8a7b6f54").get(0).path("eventId").asText());
    }
}
