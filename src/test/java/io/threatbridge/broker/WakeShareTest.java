package io.threatbridge.broker;

import io.threatbridge.BridgeHarness;
import io.threatbridge.lanes.DeliveryLanes;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several bridge instances share the integrations through the wakes' groups (DeliveryLanes): the
 * broker gives a new group to the next consumer in turn that has room for a message. An instance
 * busy delivering is not waiting in receive; with no consumer window it then has no room, and the
 * idle instances take every new integration (half of 5,000 went to one of three instances in the
 * tenants benchmark). The wake consumer's window gives each instance its turn. Artemis here is the
 * embedded broker of a running bridge, on a queue of the test's own.
 */
class WakeShareTest {

    private static final int INTEGRATIONS = 200;

    @TempDir
    Path dir;

    @Test
    void aBusyInstanceGetsItsTurnOfNewIntegrations() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, "integrations: []\n")) {
            BrokerConnection broker = BrokerConnection.external("tcp://127.0.0.1:" + bridge.brokerPort + "?reconnectAttempts=0",
                    bridge.brokerUser, bridge.brokerPassword);

            int busyShare = busyInstanceShare(broker.wakeConnectionFactory(), "share.window");
            assertTrue(busyShare >= INTEGRATIONS * 35 / 100 && busyShare <= INTEGRATIONS * 65 / 100,
                    "with the wake consumers' window, the busy instance got " + busyShare + " of " + INTEGRATIONS);

            // the same with no window (the lanes' own factory): why the wakes have a factory of their own
            assertEquals(0, busyInstanceShare(broker.laneConnectionFactory(), "share.no-window"),
                    "without a window, only the instance waiting in receive takes new integrations");
        }
    }

    /**
     * Two instances' wake consumers; one integration after another gets its first wake while only the
     * idle one is in receive. Returns how many integrations the busy one was given.
     */
    private static int busyInstanceShare(ConnectionFactory factory, String queue) throws Exception {
        try (Connection busy = factory.createConnection(); Connection idle = factory.createConnection()) {
            Session busySession = busy.createSession(false, ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
            Session idleSession = idle.createSession(false, ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
            MessageConsumer busyWakes = busySession.createConsumer(busySession.createQueue(queue));
            MessageConsumer idleWakes = idleSession.createConsumer(idleSession.createQueue(queue));
            busy.start();
            idle.start();
            Set<String> idleGot = new HashSet<>();
            try (Session sending = idle.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                MessageProducer producer = sending.createProducer(sending.createQueue(queue));
                for (int i = 0; i < INTEGRATIONS; i++) {
                    producer.send(DeliveryLanes.wake(sending, "integration-" + i));
                    // the idle instance takes what the broker gives it, as its wake thread does
                    for (Message wake; (wake = idleWakes.receive(10)) != null; ) {
                        idleGot.add(wake.getStringProperty(DeliveryLanes.WAKE_PROPERTY));
                    }
                }
            }
            for (Message wake; (wake = idleWakes.receive(500)) != null; ) {
                idleGot.add(wake.getStringProperty(DeliveryLanes.WAKE_PROPERTY));
            }
            // only now does the busy instance look at its wakes: those the broker gave it while it was busy
            Set<String> busyGot = new HashSet<>();
            for (Message wake; (wake = busyWakes.receive(500)) != null; ) {
                busyGot.add(wake.getStringProperty(DeliveryLanes.WAKE_PROPERTY));
            }
            assertEquals(INTEGRATIONS, busyGot.size() + idleGot.size(), "every integration went to one instance");
            return busyGot.size();
        }
    }
}
