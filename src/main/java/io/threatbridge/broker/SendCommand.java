package io.threatbridge.broker;

import io.threatbridge.BridgeSettings;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code java -jar threat-bridge.jar send FILE...}: each file becomes one persistent text message on
 * the inbound queue of the configured broker, all in one transaction.
 */
public final class SendCommand {

    private SendCommand() {
    }

    public static int run(String[] files) {
        if (files.length == 0) {
            System.err.println("usage: java -jar threat-bridge.jar send FILE...");
            return 2;
        }
        Map<String, String> settings = BridgeSettings.resolved();
        String url = settings.get("bridge.broker.url");
        if (url.isBlank()) {
            url = "tcp://127.0.0.1:" + settings.get("bridge.embedded-broker.port");
        }
        return send(url, settings.get("bridge.broker.user"), settings.get("bridge.broker.password"),
                settings.get("bridge.queue.inbound"), files);
    }

    private static int send(String url, String user, String password, String queue, String[] files) {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
             Connection connection = factory.createConnection(user.isBlank() ? null : user, password.isBlank() ? null : password);
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (String file : files) {
                producer.send(session.createTextMessage(Files.readString(Path.of(file), StandardCharsets.UTF_8)));
            }
            session.commit();
            System.out.println("sent " + files.length + " event(s) to " + queue + " at " + url);
            return 0;
        } catch (IOException e) {
            System.err.println("send: cannot read " + e.getMessage());
            return 1;
        } catch (JMSException e) {
            System.err.println("send: broker " + url + ": " + e.getMessage());
            return 1;
        }
    }
}
