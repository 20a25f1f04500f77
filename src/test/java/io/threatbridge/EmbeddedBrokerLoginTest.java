package io.threatbridge;

import io.threatbridge.broker.BrokerCredentials;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded broker's acceptors take one login, the bridge's: bridge.broker.user and
 * bridge.broker.password when the password is set, otherwise user "bridge" with a password made at
 * the first start and kept in {bridge.data-dir}/broker/credentials (mode 600), which the send
 * command reads. Everything else is refused on the TCP port: no login, a wrong password, another
 * user, and Artemis's own cluster user with its public default password (Artemis lets the cluster
 * user past every security check).
 */
class EmbeddedBrokerLoginTest {

    private static final String TWO_TENANTS = """
            integrations:
              - name: contoso
                tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                accounts: [acme]
                senders: [bridge]
              - name: fabrikam
                tenantId: 0b1c2d3e-86f1-41af-91ab-2d7cd011db47
                accounts: [globex]
                senders: [vendor-x]
            """;

    @TempDir
    Path dir;

    /** Logs in and out again. */
    private static void connect(int port, String user, String password) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port);
             Connection connection = factory.createConnection(user, password)) {
            connection.start();
        }
    }

    private static void refused(int port, String user, String password) {
        assertThrows(JMSSecurityException.class, () -> connect(port, user, password), "login " + user + " refused");
    }

    private static Properties credentials(Path dataDir) throws Exception {
        Properties file = new Properties();
        try (var reader = Files.newBufferedReader(BrokerCredentials.file(dataDir))) {
            file.load(reader);
        }
        return file;
    }

    @Test
    void aFreshBridgeMakesOneLoginAndTheTcpAcceptorTakesNoOther() throws Exception {
        try (LogCapture log = new LogCapture();
             BridgeHarness bridge = BridgeHarness.start(dir, TWO_TENANTS)) {
            Path file = BrokerCredentials.file(bridge.dataDir);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            Properties login = credentials(bridge.dataDir);
            String password = login.getProperty("password");
            assertEquals("bridge", login.getProperty("user"));
            assertTrue(password.matches("[A-Za-z0-9_-]{32}"), "32 random characters");

            refused(bridge.brokerPort, null, null);
            refused(bridge.brokerPort, "bridge", null);
            refused(bridge.brokerPort, "bridge", "wrong-password");
            refused(bridge.brokerPort, "vendor-x", password);
            refused(bridge.brokerPort, "ACTIVEMQ.CLUSTER.ADMIN.USER", "CHANGE ME!!");

            try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + bridge.brokerPort);
                 Connection vendor = factory.createConnection("bridge", password);
                 Session session = vendor.createSession(false, Session.AUTO_ACKNOWLEDGE);
                 MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
                producer.send(session.createTextMessage(Events.event("login-1", "acme", "thr-1", "CRITICAL", "ACTIVE").toString()));
                await().until(() -> bridge.store().isDone("contoso", "login-1"));

                // the broker stamps the user it validated (populate-validated-user) over the vendor's own
                String forged = Events.event("login-2", "globex", "thr-2", "CRITICAL", "ACTIVE").toString();
                Message message = session.createTextMessage(forged);
                message.setStringProperty("_AMQ_VALIDATED_USER", "vendor-x");
                producer.send(message);
                Message refused = bridge.receive("threats.invalid", 30_000);
                assertNotNull(refused);
                assertEquals(forged, BridgeHarness.text(refused));
                assertEquals("sender: broker user 'bridge' may not send events for account 'globex' (not among the senders of integration fabrikam)",
                        refused.getStringProperty("bridgeError"));
            }
            assertTrue(log.text().contains("embedded broker: takes one login, user bridge (password in " + file + ")"), log.text());
            assertFalse(log.text().contains(password), "the password is never logged");
        }
    }

    @Test
    void theLoginOutlivesARestartAndTheSettingsReplaceIt() throws Exception {
        String first;
        try (BridgeHarness bridge = BridgeHarness.start(dir, TWO_TENANTS)) {
            first = credentials(bridge.dataDir).getProperty("password");
        }
        try (BridgeHarness bridge = BridgeHarness.start(dir, TWO_TENANTS)) {
            assertEquals(first, credentials(bridge.dataDir).getProperty("password"), "made once, kept");
            connect(bridge.brokerPort, "bridge", first);
        }
        try (BridgeHarness bridge = BridgeHarness.start(dir, TWO_TENANTS,
                Map.of("bridge.broker.user", "alice", "bridge.broker.password", "alice-password"))) {
            connect(bridge.brokerPort, "alice", "alice-password");
            refused(bridge.brokerPort, "bridge", first);
            refused(bridge.brokerPort, "alice", first);
            // the bridge's own in-VM connection logs in with the settings too: it delivers
            bridge.send(Events.event("alice-1", "acme", "thr-a", "CRITICAL", "ACTIVE").toString());
            Message refused = bridge.receive("threats.invalid", 30_000);
            assertNotNull(refused, "contoso takes acme's events from bridge only, and alice sent this one");
            assertTrue(refused.getStringProperty("bridgeError").startsWith("sender: broker user 'alice' may not send"));
        }
    }

    @Test
    void sendLogsInWithTheBridgesFileOrSaysWhereItIsMissing() throws Exception {
        Path dataDir = dir.resolve("data");
        Map<String, String> settings = new HashMap<>(Map.of("bridge.broker.url", "", "bridge.broker.user", "",
                "bridge.broker.password", "", "bridge.data-dir", dataDir.toString(), "bridge.queue.inbound", "threats.inbound"));
        String[] args = {"samples/critical-mitm.json"};

        settings.put("bridge.embedded-broker.port", "1");
        Sent beforeFirstStart = send(args, settings);
        assertEquals(1, beforeFirstStart.exit());
        assertTrue(beforeFirstStart.err().contains(BrokerCredentials.file(dataDir) + " not found: start the bridge once"),
                beforeFirstStart.err());

        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """)) {
            settings.put("bridge.embedded-broker.port", String.valueOf(bridge.brokerPort));
            Sent sent = send(args, settings);
            assertEquals(0, sent.exit(), sent.err());
            await().until(() -> bridge.store().isDone("contoso", "5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d"));

            settings.put("bridge.broker.password", "not-the-password");
            Sent wrong = send(args, settings);
            assertNotEquals(0, wrong.exit());
            assertTrue(wrong.err().contains("AMQ229031"), "the broker refused the login: " + wrong.err());
        }
    }

    private record Sent(int exit, String err) {
    }

    /** The send command in this JVM, its standard error kept. */
    private static Sent send(String[] args, Map<String, String> settings) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = SendCommand.run(args, settings);
            return new Sent(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }
}
