package io.threatbridge.lanes;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.FakeMicrosoft;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The delivery lanes through the whole bridge (embedded broker, store, real HTTPS to the fake):
 * threads do not grow with the integrations, no lane waits for a tenant that may not be called, and
 * an event whose wake was lost is found.
 */
class DeliveryLanesTest {

    @TempDir
    Path dir;

    @Test
    void threeHundredIntegrationsAreDeliveredByTheSameEightLanes() throws Exception {
        int count = 300;
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (int i = 0; i < count; i++) {
            yaml.append("  - name: i").append(i).append("\n    tenantId: tenant-").append(i)
                    .append("\n    accounts: [acct-").append(i).append("]\n    filterLevel: NORMAL_AND_ABOVE\n");
        }
        try (BridgeHarness bridge = BridgeHarness.start(dir, yaml.toString())) {
            for (int i = 0; i < count; i++) {
                bridge.send(Events.event("e-" + i, "acct-" + i, "thr-" + i, "CRITICAL", "ACTIVE").toString());
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.dryRunLines().size() == count);
            for (int i = 0; i < count; i++) {
                assertTrue(bridge.store().isDone("i" + i, "e-" + i), "i" + i + " delivered");
            }
            long lanes = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("delivery-lane-")).count();
            long queueConsumers = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("JmsConsumer[defender.out")).count();
            assertEquals(8, lanes, "bridge.delivery.lanes");
            assertEquals(0, queueConsumers, "no consumer thread of its own for any integration");
            assertEquals(0, bridge.camel().getRoutes().stream().filter(r -> r.getRouteId().startsWith("deliver-")).count(),
                    "no route of its own for any Defender integration");
        }
    }

    /**
     * One lane, two tenants: "down" answers every create with 503, so its circuit opens after five
     * failures (TenantGate: a 5 s pause). The lane must not wait for it: the other tenant's events go
     * out before the down tenant is called again.
     */
    @Test
    void oneLaneDeliversForEveryTenantWhileAnotherIsInAnOutage() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/up");
            microsoft.acceptAlerts("/down");
            microsoft.stubCreate("/down", FakeMicrosoft.status(503), 1);
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.delivery.lanes", "1");
            settings.put("bridge.delivery.initial-delay-ms", "60000");
            String yaml = "integrations:\n"
                    + FakeMicrosoft.integration("down", "tenant-down", "dn", microsoft.baseUrl() + "/down")
                    + FakeMicrosoft.integration("up", "tenant-up", "upa", microsoft.baseUrl() + "/up");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                for (int i = 0; i < 30; i++) {
                    bridge.send(Events.event("dn-" + i, "dn", "thr-dn-" + i, "CRITICAL", "ACTIVE").toString());
                }
                // five failures in a row: the circuit is open, the down tenant's next call waits 5 s
                await().atMost(Duration.ofSeconds(30)).until(() -> microsoft.creates("/down").size() >= 5);
                int downCallsBefore = microsoft.creates("/down").size();
                for (int i = 0; i < 10; i++) {
                    bridge.send(Events.event("up-" + i, "upa", "thr-up-" + i, "CRITICAL", "ACTIVE").toString());
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> microsoft.creates("/up").size() == 10);
                long lastUp = microsoft.creates("/up").stream().mapToLong(r -> r.getLoggedDate().getTime()).max().orElseThrow();
                long nextDown = microsoft.creates("/down").stream().skip(downCallsBefore)
                        .mapToLong(r -> r.getLoggedDate().getTime()).min().orElse(Long.MAX_VALUE);
                assertTrue(lastUp < nextDown, "the up tenant was served while the down tenant's circuit was open");
            }
        }
    }

    /**
     * What a lane relies on: a send of the routes (to the retry or the dead-letter queue) made while
     * the lane's session is bound to the thread under the routes' connection factory is part of the
     * lane's transaction, so it happens exactly when the event's acknowledgement does.
     */
    @Test
    void aRouteSendJoinsTheLanesTransaction() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, "integrations: []\n");
             var lanes = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("vm://0");
             jakarta.jms.Connection connection = lanes.createConnection(bridge.brokerUser, bridge.brokerPassword)) {
            jakarta.jms.ConnectionFactory routes = bridge.camel().getRegistry().lookupByNameAndType("connectionFactory", jakarta.jms.ConnectionFactory.class);
            jakarta.jms.Session session = connection.createSession(true, jakarta.jms.Session.SESSION_TRANSACTED);
            var template = bridge.camel().createProducerTemplate();
            for (boolean commit : new boolean[] {false, true}) {
                org.springframework.transaction.support.TransactionSynchronizationManager.bindResource(routes,
                        new org.springframework.jms.connection.JmsResourceHolder(routes, connection, session));
                try {
                    template.sendBody("jms:queue:lane-tx-check", "commit " + commit);
                } finally {
                    org.springframework.transaction.support.TransactionSynchronizationManager.unbindResource(routes);
                }
                if (commit) {
                    session.commit();
                } else {
                    session.rollback();
                }
            }
            jakarta.jms.Message first = bridge.receive("lane-tx-check", 5000);
            assertEquals("commit true", BridgeHarness.text(first), "the rolled back send never reached the queue");
            assertEquals(null, bridge.receive("lane-tx-check", 300));
        }
    }

    @Test
    void anEventWhoseWakeWasLostIsFoundByTheNextLook() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: solo
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                    filterLevel: NORMAL_AND_ABOVE
                """, Map.of("bridge.delivery.rescan-ms", "500"))) {
            // as an operator moving an event by hand would: on the queue, with no wake
            bridge.sendTo("defender.out.solo", Events.event("lost-wake", "acme", "thr-lost", "CRITICAL", "ACTIVE").toString());
            await().atMost(Duration.ofSeconds(20)).until(() -> bridge.store().isDone("solo", "lost-wake"));
        }
    }
}
