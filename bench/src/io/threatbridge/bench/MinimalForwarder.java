package io.threatbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The baseline the bridge is measured against: the least a forwarder can do and still be safe, a
 * plain transacted JMS consumer per thread that posts each event to Defender with the JDK HttpClient
 * and commits. No validation, no store, no retries.
 *
 * <p>With a list of accounts it forwards in two hops, as the bridge does to keep tenants apart: the
 * consumers of the queue move each event, in one transaction, to a queue of its account
 * ({@code <queue>.<accountId>}); one consumer per account posts and commits. That is the floor of the
 * bridge's design, without Camel, validation or store.
 *
 * <p>Arguments: broker URL, user, password, queue, Defender create URL, threads, [accounts, comma-separated].
 */
public final class MinimalForwarder {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String queue = args[3];
        URI create = URI.create(args[4]);
        int threads = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(args[0]);
        Connection connection = factory.createConnection(args[1], args[2]);
        connection.start();
        if (args.length > 6) {
            for (int t = 0; t < threads; t++) {
                route(connection, queue, "router-" + t);
            }
            for (String account : List.of(args[6].split(","))) {
                post(connection, queue + "." + account, create, http, "poster-" + account);
            }
        } else {
            for (int t = 0; t < threads; t++) {
                post(connection, queue, create, http, "forwarder-" + t);
            }
        }
        Thread.currentThread().join();
    }

    /** Posts each event of the queue as a minimal alert; commits on a 2xx answer. */
    private static void post(Connection connection, String queue, URI create, HttpClient http, String name) throws Exception {
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
        worker(name, () -> {
            TextMessage message = (TextMessage) consumer.receive();
            JsonNode event = JSON.readTree(message.getText());
            ObjectNode alert = JSON.createObjectNode()
                    .put("machineId", event.path("device").path("id").asText())
                    .put("reportId", event.path("eventId").asText())
                    .put("eventTime", event.path("threat").path("detectedAt").asText())
                    .put("severity", "High")
                    .put("title", event.path("threat").path("name").asText());
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(create)
                            .header("Content-Type", "application/json").header("Authorization", "Bearer baseline")
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(alert.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                session.commit();
            } else {
                session.rollback();
            }
        });
    }

    /** Moves each event of the queue to the queue of its account, persistent, in one transaction. */
    private static void route(Connection connection, String queue, String name) throws Exception {
        Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
        MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
        MessageProducer producer = session.createProducer(null);
        // looked up once: session.createQueue asks the broker each time
        Map<String, Queue> queues = new HashMap<>();
        worker(name, () -> {
            TextMessage message = (TextMessage) consumer.receive();
            String account = JSON.readTree(message.getText()).path("accountId").asText();
            Queue target = queues.get(account);
            if (target == null) {
                target = session.createQueue(queue + "." + account);
                queues.put(account, target);
            }
            producer.send(target, session.createTextMessage(message.getText()));
            session.commit();
        });
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void worker(String name, Step step) {
        Thread worker = new Thread(() -> {
            try {
                while (true) {
                    step.run();
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, name);
        worker.start();
    }
}
