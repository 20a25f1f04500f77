package io.threatbridge.broker;

import io.threatbridge.BridgeSettings;
import jakarta.jms.Connection;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code java -jar threat-bridge.jar send [--format NAME] FILE...}: each file becomes one persistent
 * text message on the inbound queue of the configured broker, all in one transaction. With
 * {@code --format}, each message carries the string property bridgeFormat (interface.md 4b): the
 * file holds a vendor's records, one or a JSON array of them.
 */
public final class SendCommand {

    private SendCommand() {
    }

    private static final String USAGE = "usage: java -jar threat-bridge.jar send [--format NAME] FILE...";

    public static int run(String[] args) {
        String format = null;
        String[] files = args;
        if (args.length > 0 && (args[0].equals("--format") || args[0].startsWith("--format="))) {
            if (args[0].startsWith("--format=")) {
                format = args[0].substring("--format=".length());
                files = Arrays.copyOfRange(args, 1, args.length);
            } else if (args.length > 1) {
                format = args[1];
                files = Arrays.copyOfRange(args, 2, args.length);
            } else {
                format = "";
            }
            if (format.isBlank()) {
                System.err.println("send: --format needs a format name, such as zimperium\n" + USAGE);
                return 2;
            }
        }
        if (files.length == 0) {
            System.err.println(USAGE);
            return 2;
        }
        Map<String, String> settings = BridgeSettings.resolved();
        String url = settings.get("bridge.broker.url");
        if (url.isBlank()) {
            url = "tcp://127.0.0.1:" + settings.get("bridge.embedded-broker.port");
        }
        return send(url, settings.get("bridge.broker.user"), settings.get("bridge.broker.password"),
                settings.get("bridge.queue.inbound"), format, files);
    }

    private static int send(String url, String user, String password, String queue, String format, String[] files) {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(url);
             Connection connection = factory.createConnection(user.isBlank() ? null : user, password.isBlank() ? null : password);
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            producer.setDeliveryMode(DeliveryMode.PERSISTENT);
            for (String file : files) {
                TextMessage message = session.createTextMessage(Files.readString(Path.of(file), StandardCharsets.UTF_8));
                if (format != null) {
                    message.setStringProperty("bridgeFormat", format);
                }
                producer.send(message);
            }
            session.commit();
            System.out.println("sent " + files.length + (format == null ? " event(s)" : " " + format + " message(s)")
                    + " to " + queue + " at " + url);
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
