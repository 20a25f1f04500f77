package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.store.TestStores;
import jakarta.jms.Message;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Vendor records and the store, on each store the product ships (H2 and PostgreSQL), through the
 * real bridge in dry-run: a Zimperium record sent twice, or a threat record after its mitigation
 * record, gives one alert, resolved (interface.md section 4: "a later ACTIVE event for a threat that
 * already has an alert there creates no second one"); and the ingest transaction covers a whole
 * message: a failure at an array's last record rolls back the sends of the records before it, the
 * bad record's invalid copy included, and the redelivery gives each once.
 */
class VendorFormatStoresTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    BridgeHarness bridge;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void oneAlertResolvedWhateverTheOrderAndNothingDoubledByARolledBackMessage(String store) throws Exception {
        // api: graph, since Zimperium's records carry no Defender machine id
        Map<String, String> settings = new HashMap<>(TestStores.settings(store, dir));
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                    filterLevel: LOW_AND_ABOVE
                    api: graph
                """, settings);
        try {
            theSameRecordTwiceAndThenItsMitigationGiveOneAlertResolved();
            aThreatRecordAfterItsMitigationRecordGivesOneAlertResolved();
            aFailureMidArrayRollsTheWholeMessageBackAndTheRedeliveryGivesEachRecordOnce();
        } finally {
            bridge.close();
        }
    }

    private void theSameRecordTwiceAndThenItsMitigationGiveOneAlertResolved() throws Exception {
        ObjectNode threat = sample("zimperium/threat-arp-mitm.json");
        ObjectNode mitigation = sample("zimperium/mitigation-arp-mitm.json");
        String threatId = threat.path("threat_uuid").asText();
        bridge.sendFormat("zimperium", threat.toString());
        bridge.sendFormat("zimperium", threat.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("contoso", "zimperium:" + threatId + ":active"));
        bridge.sendFormat("zimperium", mitigation.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf(threatId).contains("resolve"));
        // a marker sent last and delivered: the second copy, sent long before it, was taken by then
        String marker = "marker-twice";
        bridge.send(Events.event(marker, "acme", marker, "CRITICAL", "ACTIVE").toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf(marker).size() == 1);
        assertEquals(List.of("create", "resolve"), operationsOf(threatId));
    }

    private void aThreatRecordAfterItsMitigationRecordGivesOneAlertResolved() throws Exception {
        String threatId = "5d6e7f80-9a0b-4c1d-8e2f-3a4b5c6d7e8f";
        ObjectNode threat = sample("zimperium/threat-arp-mitm.json").put("threat_uuid", threatId);
        ObjectNode mitigation = sample("zimperium/mitigation-arp-mitm.json").put("threat_uuid", threatId);
        // one message, the mitigation first: the order an export may send them in
        ArrayNode outOfOrder = JSON.createArrayNode().add(mitigation).add(threat);
        bridge.sendFormat("zimperium", outOfOrder.toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("contoso", "zimperium:" + threatId + ":active")
                && bridge.store().isDone("contoso", "zimperium:" + threatId + ":resolved"));
        assertEquals(List.of("create", "resolve"), operationsOf(threatId), "the later ACTIVE event created no second alert");

        // and again, as separate messages, the threat record long after
        bridge.sendFormat("zimperium", threat.toString());
        bridge.sendFormat("zimperium", outOfOrder.toString());
        String marker = "marker-" + threatId;
        bridge.send(Events.event(marker, "acme", marker, "CRITICAL", "ACTIVE").toString());
        await().atMost(Duration.ofSeconds(30)).until(() -> operationsOf(marker).size() == 1);
        assertEquals(List.of("create", "resolve"), operationsOf(threatId));
    }

    private void aFailureMidArrayRollsTheWholeMessageBackAndTheRedeliveryGivesEachRecordOnce() throws Exception {
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
    }

    private static ObjectNode sample(String path) throws Exception {
        return (ObjectNode) JSON.readTree(Files.readString(Path.of("samples", path)));
    }

    private List<String> operationsOf(String threatId) {
        return bridge.dryRunLines().stream().filter(line -> line.path("threatId").asText().equals(threatId))
                .map(line -> line.path("operation").asText()).toList();
    }
}
