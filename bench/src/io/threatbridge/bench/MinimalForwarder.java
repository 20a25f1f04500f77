package io.threatbridge.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The baseline the bridge is measured against: the least a forwarder can do and still be safe, a
 * plain transacted JMS consumer per thread that posts each event to Defender with the JDK HttpClient
 * and commits. No validation, no store, no retries.
 *
 * <p>Arguments: broker URL, user, password, queue, Defender create URL, threads.
 */
public final class MinimalForwarder {

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String queue = args[3];
        URI create = URI.create(args[4]);
        int threads = Integer.parseInt(args[5]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ObjectMapper json = new ObjectMapper();
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
        Connection connection = factory.createConnection(args[1], args[2]);
        connection.start();
        for (int t = 0; t < threads; t++) {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue));
            Thread worker = new Thread(() -> {
                try {
                    while (true) {
                        TextMessage message = (TextMessage) consumer.receive();
                        JsonNode event = json.readTree(message.getText());
                        ObjectNode alert = json.createObjectNode()
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
                    }
                } catch (Exception e) {
                    e.printStackTrace();
                }
            }, "forwarder-" + t);
            worker.start();
        }
        Thread.currentThread().join();
    }
}
