package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import io.threatbridge.event.Severity;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Within one integration's backlog, CRITICAL goes before ELEVATED before LOW before NORMAL. */
class PriorityTest {

    @TempDir
    Path dir;

    @Test
    void aBacklogDrainsMostSevereFirst() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: prio
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                    filterLevel: NORMAL_AND_ABOVE
                """)) {
            bridge.lanes().pause("prio");
            List<Severity> sent = new ArrayList<>();
            for (Severity severity : Severity.values()) {
                for (int i = 0; i < 5; i++) {
                    sent.add(severity);
                }
            }
            Collections.shuffle(sent, new Random());
            NotifyBuilder queued = new NotifyBuilder(bridge.camel()).fromRoute("ingest").whenDone(sent.size()).create();
            for (int i = 0; i < sent.size(); i++) {
                bridge.send(Events.event("p-" + i, "acme", "thr-p-" + i, sent.get(i).name(), "ACTIVE").toString());
            }
            assertTrue(queued.matches(30, TimeUnit.SECONDS), "the backlog is queued");
            bridge.lanes().resume("prio");
            await().until(() -> bridge.dryRunLines().size() == sent.size());

            List<String> order = bridge.dryRunLines().stream().map(line -> line.at("/body/severity").asText()).toList();
            List<Integer> ranks = new ArrayList<>();
            for (JsonNode line : bridge.dryRunLines()) {
                int index = Integer.parseInt(line.get("eventId").asText().substring(2));
                ranks.add(sent.get(index).ordinal());
            }
            List<Integer> mostSevereFirst = new ArrayList<>(ranks);
            mostSevereFirst.sort(Collections.reverseOrder());
            assertEquals(mostSevereFirst, ranks, "delivered in order of severity: " + order);
        }
    }
}
