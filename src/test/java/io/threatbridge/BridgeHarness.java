package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import io.threatbridge.broker.BrokerCredentials;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole bridge in this JVM, started the way production starts it (embedded broker, routes
 * from routes/*.yaml), with its own data dir, ports and integrations file, and a JMS client to it.
 */
public final class BridgeHarness implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    public final Path dataDir;
    public final int brokerPort;
    public final int managementPort;
    /** The login the bridge's broker takes: the embedded broker's one, or the settings' for an external broker. */
    public final String brokerUser;
    public final String brokerPassword;
    private final Main main;
    private final ActiveMQConnectionFactory clientFactory;
    private final Connection client;

    private BridgeHarness(Path dir, String integrationsYaml, Map<String, String> extra) throws Exception {
        this.dataDir = dir.resolve("data");
        this.brokerPort = freePort();
        this.managementPort = freePort();
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, integrationsYaml);
        Map<String, String> settings = new HashMap<>(Map.of(
                "bridge.data-dir", dataDir.toString(),
                "bridge.embedded-broker.port", String.valueOf(brokerPort),
                "bridge.integrations-file", integrations.toString(),
                "camel.management.port", String.valueOf(managementPort)));
        settings.putAll(extra);
        main = ThreatBridge.newMain(settings);
        try {
            main.start();
        } catch (Exception | Error failed) {
            // a bridge that did not start must not leave its embedded broker to the next test
            main.stop();
            throw failed;
        }
        clientFactory = new ActiveMQConnectionFactory(settings.getOrDefault("bridge.broker.url", "tcp://127.0.0.1:" + brokerPort));
        if (settings.containsKey("bridge.broker.url")) {
            brokerUser = settings.get("bridge.broker.user");
            brokerPassword = settings.get("bridge.broker.password");
        } else {
            // the embedded broker's one login, as a local vendor or the send command finds it
            BrokerCredentials login = BrokerCredentials.forClientOfEmbeddedBroker(settings.get("bridge.broker.user"),
                    settings.get("bridge.broker.password"), dataDir);
            brokerUser = login.user();
            brokerPassword = login.password();
        }
        // as the bridge's user
        client = clientFactory.createConnection(brokerUser, brokerPassword);
        client.start();
    }

    public static BridgeHarness start(Path dir, String integrationsYaml) throws Exception {
        return new BridgeHarness(dir, integrationsYaml, Map.of());
    }

    public static BridgeHarness start(Path dir, String integrationsYaml, Map<String, String> settings) throws Exception {
        return new BridgeHarness(dir, integrationsYaml, settings);
    }

    public CamelContext camel() {
        return main.getCamelContext();
    }

    /** The bridge's own store, to see what it remembers. */
    /** The delivery lanes, to pause an integration or to see whether it is delivered. */
    public io.threatbridge.lanes.DeliveryLanes lanes() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("deliveryLanes", io.threatbridge.lanes.DeliveryLanes.class);
    }

    /** Whether the integration is in force and its events are taken from its queue. */
    public boolean delivering(String integration) {
        return lanes().isConsuming(integration);
    }

    public io.threatbridge.store.DeliveryStore store() {
        return camel().getRegistry().lookupByNameAndType("store", io.threatbridge.store.DeliveryStore.class);
    }

    public void send(String body) throws JMSException {
        sendTo("threats.inbound", body);
    }

    /** A text message on the inbound queue in a vendor's format (interface.md 4b): string property bridgeFormat. */
    public void sendFormat(String format, String body) throws JMSException {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            TextMessage message = session.createTextMessage(body);
            message.setStringProperty("bridgeFormat", format);
            producer.send(message);
        }
    }

    public void sendTo(String queue, String body) throws JMSException {
        sendTo(queue, body, jakarta.jms.Message.DEFAULT_PRIORITY);
    }

    public void sendTo(String queue, String body, int priority) throws JMSException {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setPriority(priority);
            producer.send(session.createTextMessage(body));
        }
    }

    /**
     * An event straight onto an integration's delivery queue, as ingest puts it there: with the wake
     * that tells the delivery lanes (routes/ingest.camel.yaml), in one transaction.
     */
    public void sendToDelivery(String integration, String body, int priority) throws JMSException {
        try (Session session = client.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer events = session.createProducer(session.createQueue("defender.out." + integration));
             MessageProducer wakes = session.createProducer(session.createQueue("defender.wake"))) {
            events.setPriority(priority);
            events.send(session.createTextMessage(body));
            TextMessage wake = session.createTextMessage(integration);
            wake.setStringProperty("bridgeIntegration", integration);
            wake.setStringProperty("JMSXGroupID", integration);
            wakes.send(wake, jakarta.jms.DeliveryMode.NON_PERSISTENT, 4, 0);
            session.commit();
        }
    }

    public void sendToDelivery(String integration, String body) throws JMSException {
        sendToDelivery(integration, body, jakarta.jms.Message.DEFAULT_PRIORITY);
    }

    public void sendBytes(byte[] body) throws JMSException {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(body);
            producer.send(message);
        }
    }

    /** The next message on a queue, or null when none comes within the timeout. */
    public Message receive(String queue, long timeoutMs) throws JMSException {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
            return consumer.receive(timeoutMs);
        }
    }

    /** The next message on a queue that matches a JMS selector, or null when none comes within the timeout. */
    public Message receive(String queue, String selector, long timeoutMs) throws JMSException {
        try (Session session = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageConsumer consumer = session.createConsumer(session.createQueue(queue), selector)) {
            return consumer.receive(timeoutMs);
        }
    }

    public static String text(Message message) throws JMSException {
        if (message instanceof TextMessage text) {
            return text.getText();
        }
        return new String(message.getBody(byte[].class), StandardCharsets.UTF_8);
    }

    /** The alert requests written so far to the dry-run file (creates, resolves, look-ups; not hunting queries). */
    public List<JsonNode> dryRunLines() {
        return dryRunAllLines().stream().filter(line -> !"hunt".equals(line.path("operation").asText())).toList();
    }

    /** Every line written so far to the dry-run file, hunting queries too. */
    public List<JsonNode> dryRunAllLines() {
        Path file = dataDir.resolve("dry-run-alerts.jsonl");
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return Files.readAllLines(file).stream().map(BridgeHarness::parse).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET /observe/{path} on the management port: health, health/ready, metrics... */
    public java.net.http.HttpResponse<String> observe(String path) throws IOException, InterruptedException {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + managementPort + "/observe/" + path)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            client.close();
            clientFactory.close();
        } finally {
            main.stop();
        }
    }
}
