package io.threatbridge;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.awaitility.Awaitility.await;

/**
 * DeadLetters.Count is the broker's count of the queue (one query), not a browse of every message:
 * it counts what a browser cannot see, such as a dead letter scheduled for later, and costs the
 * same for a million dead letters as for one.
 */
class DeadLetterCountTest {

    @TempDir
    Path dir;

    @Test
    void countIsTheBrokersNotABrowse() throws Exception {
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """);
             ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + bridge.brokerPort);
             Connection connection = factory.createConnection(bridge.brokerUser, bridge.brokerPassword);
             Session session = connection.createSession();
             MessageProducer producer = session.createProducer(session.createQueue("threats.dlq"))) {
            producer.send(session.createTextMessage("now"));
            Message later = session.createTextMessage("later");
            later.setLongProperty("_AMQ_SCHED_DELIVERY", System.currentTimeMillis() + 3_600_000);
            producer.send(later);
            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName deadLetters = new ObjectName("threatbridge:type=DeadLetters");
            await().until(() -> (Long) jmx.getAttribute(deadLetters, "Count") == 2L);
        }
    }
}
