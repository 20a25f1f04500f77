package io.threatbridge.broker;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.Interceptor;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.protocol.core.impl.PacketImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Once an integration's queue exists, delivering its events asks the broker no address query:
 * Artemis answers one (the core protocol's binding query) by going over every queue it holds, so a
 * query an event would make the broker's cost per event grow with the number of integrations. The
 * routes' sends resolve their queues once (KnownQueues); the lanes open their consumers through the
 * core API, which does not check the queue first (DeliveryLanes). Counted by an interceptor of the
 * bridge's broker, an embedded one of the test's own (bridge.broker.url), fed by one producer.
 */
class BrokerQueriesTest {

    private static final int INTEGRATIONS = 20;

    @TempDir
    Path dir;

    @Test
    void anEventToAnIntegrationWithAQueueAsksTheBrokerNoAddressQuery() throws Exception {
        int port = BridgeHarness.freePort();
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setName("queries")
                .setSecurityEnabled(false).setPersistenceEnabled(false).addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
        broker.start();
        AtomicInteger addressQueries = new AtomicInteger();
        Interceptor counting = (packet, connection) -> {
            if (packet.getType() == PacketImpl.SESS_BINDINGQUERY) {
                addressQueries.incrementAndGet();
            }
            return true;
        };
        broker.getActiveMQServer().getRemotingService().addIncomingInterceptor(counting);
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (int i = 0; i < INTEGRATIONS; i++) {
            yaml.append("  - name: q").append(i).append("\n    tenantId: q").append(i).append(".onmicrosoft.com\n    accounts: [acct-q").append(i).append("]\n");
        }
        try (BridgeHarness bridge = BridgeHarness.start(dir, yaml.toString(), Map.of("bridge.broker.url", "tcp://127.0.0.1:" + port));
             ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port);
             Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer vendor = session.createProducer(session.createQueue("threats.inbound"));

            int atStart = addressQueries.get();
            sendRound(vendor, session, bridge, 0);
            int firstRound = addressQueries.get() - atStart;
            assertTrue(firstRound <= 2 * INTEGRATIONS, "each new queue checked once or so: " + firstRound);

            int before = addressQueries.get();
            sendRound(vendor, session, bridge, 1);
            assertEquals(0, addressQueries.get() - before, "address queries for " + INTEGRATIONS + " events to integrations with a queue");
        } finally {
            broker.stop();
        }
    }

    /** One event to each integration, until the bridge delivered them all (dry-run). */
    private static void sendRound(MessageProducer vendor, Session session, BridgeHarness bridge, int round) throws Exception {
        for (int i = 0; i < INTEGRATIONS; i++) {
            vendor.send(session.createTextMessage(Events.event("ev-" + round + "-" + i, "acct-q" + i, "thr-" + round + "-" + i, "CRITICAL", "ACTIVE").toString()));
        }
        await().until(() -> bridge.dryRunLines().size() == INTEGRATIONS * (round + 1));
    }
}
