package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vendor records through the real bridge (embedded Artemis, routes/*.yaml, the store, dry-run
 * delivery): a bad record of an array goes to the invalid queue alone while the others are
 * delivered, a message that cannot be split goes there whole (interface.md 4b). Idempotency and
 * the transaction of a whole message, on both stores: VendorFormatStoresTest.
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
