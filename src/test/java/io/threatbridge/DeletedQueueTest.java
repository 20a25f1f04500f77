package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Message;
import org.apache.activemq.artemis.api.config.ActiveMQDefaultConfiguration;
import org.apache.activemq.artemis.api.core.management.ActiveMQServerControl;
import org.apache.activemq.artemis.api.core.management.ObjectNameBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerInvocationHandler;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bridge caches queue look-ups (cacheDestinations), so its ingest does not create a delivery
 * queue that was deleted by hand. What it sends meanwhile must not vanish: the broker configuration
 * sends it to the dead-letter queue, and once the queue is back delivery goes on.
 */
class DeletedQueueTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void eventsSentWhileADeliveryQueueIsGoneAreDeliveredOrDeadLetteredNeverLost() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: solo
                    tenantId: 11111111-2222-3333-4444-555555555555
                    accounts: [acme]
                """)) {
            bridge.send(Events.event("before-1", "acme", "thr-before", "CRITICAL", "ACTIVE").toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> reported(bridge, "before-1"));

            destroyQueue("defender.out.solo");
            List<String> sent = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                String eventId = "gone-" + i;
                bridge.send(Events.event(eventId, "acme", "thr-" + eventId, "CRITICAL", "ACTIVE").toString());
                sent.add(eventId);
            }

            List<String> deadLettered = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Message dead;
                while ((dead = bridge.receive("threats.dlq", 100)) != null) {
                    deadLettered.add(JSON.readTree(BridgeHarness.text(dead)).path("eventId").asText());
                }
                return sent.stream().allMatch(id -> deadLettered.contains(id) || reported(bridge, id));
            });

            // the queue is back (its consumer made it again): the next event is delivered
            bridge.send(Events.event("after-1", "acme", "thr-after", "CRITICAL", "ACTIVE").toString());
            await().atMost(Duration.ofSeconds(60)).until(() -> reported(bridge, "after-1"));
            assertTrue(sent.stream().allMatch(id -> deadLettered.contains(id) || reported(bridge, id)));
        }
    }

    private static boolean reported(BridgeHarness bridge, String eventId) {
        return bridge.dryRunLines().stream().anyMatch(line -> line.toString().contains(eventId));
    }

    /**
     * As an operator would, over JMX (the embedded broker's TCP login may not manage it), consumers
     * and all.
     */
    private static void destroyQueue(String queue) throws Exception {
        ObjectName broker = ObjectNameBuilder.create(ActiveMQDefaultConfiguration.getDefaultJmxDomain(), "threat-bridge-embedded", true)
                .getActiveMQServerObjectName();
        MBeanServerInvocationHandler.newProxyInstance(ManagementFactory.getPlatformMBeanServer(), broker, ActiveMQServerControl.class, false)
                .destroyQueue(queue, true);
    }
}
