package io.threatbridge.chaos;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import jakarta.jms.Message;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A message that makes the delivery route fail in a way nobody foresaw is tried
 * bridge.delivery.max-attempts times, then parked with its reason; the queue behind it drains.
 */
class PoisonMessageTest {

    @TempDir
    Path dir;

    @Test
    void aPoisonMessageEndsOnTheDeadLetterQueueAfterTheRetryBudget() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """, Map.of("bridge.delivery.max-attempts", "3", "bridge.delivery.initial-delay-ms", "100",
                "bridge.delivery.max-delay-ms", "200"))) {
            NotifyBuilder threeTries = new NotifyBuilder(bridge.camel()).fromRoute("defender-delivery").whenExactlyDone(4).create();
            // it parses, but has no threat: nothing downstream can work with it
            String poison = "{\"eventId\":\"poison-1\",\"accountId\":\"acme\",\"device\":{\"id\":\"d\",\"os\":\"IOS\"}}";
            bridge.sendToDelivery("contoso", poison);
            bridge.send(Events.event("after-poison", "acme", "thr-after", "CRITICAL", "ACTIVE").toString());

            Message parked = bridge.receive("threats.dlq", 30_000);
            assertNotNull(parked);
            assertEquals(poison, BridgeHarness.text(parked));
            assertTrue(parked.getStringProperty("bridgeError").startsWith("gave up after 3 attempts: "), parked.getStringProperty("bridgeError"));
            assertEquals("contoso", parked.getStringProperty("bridgeIntegration"));
            await().until(() -> bridge.store().isDone("contoso", "after-poison"));
            // three tries of the poison and one of the good event: Camel's retries are broker-scheduled
            // copies counted by bridgeAttempt, never stacked on top of the broker's own redeliveries
            assertTrue(threeTries.matches(10, TimeUnit.SECONDS), "exactly four delivery exchanges");
        }
    }
}
