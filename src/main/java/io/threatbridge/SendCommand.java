package io.threatbridge;

import io.threatbridge.broker.BrokerCredentials;

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
 *
 * <p>It logs in as bridge.broker.user with bridge.broker.password (from the environment or
 * config/application.properties; never pass a password as -D, every user of the host sees it in
 * ps). To the embedded broker without a password set, it logs in with the login the bridge made
 * at its first start, {@code {bridge.data-dir}/broker/credentials}: run it from the bridge's
 * directory, or with the bridge's BRIDGE_DATA_DIR.
 */
public final class SendCommand {

    private SendCommand() {
    }

    private static final String USAGE = "usage: java -jar threat-bridge.jar send [--format NAME] FILE...";

    public static int run(String[] args) {
        return run(args, BridgeSettings.resolved());
    }

    /** @param settings every setting as the bridge would see it ({@link BridgeSettings#resolved()}) */
    public static int run(String[] args, Map<String, String> settings) {
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
        String url = settings.getOrDefault("bridge.broker.url", "");
        String user = settings.getOrDefault("bridge.broker.user", "");
        String password = settings.getOrDefault("bridge.broker.password", "");
        if (url.isBlank()) {
            url = "tcp://127.0.0.1:" + settings.get("bridge.embedded-broker.port");
            try {
                BrokerCredentials login = BrokerCredentials.forClientOfEmbeddedBroker(user, password, Path.of(settings.get("bridge.data-dir")));
                user = login.user();
                password = login.password();
            } catch (IOException e) {
                System.err.println("send: the embedded broker takes one login: " + e.getMessage());
                return 1;
            }
        }
        return send(url, user, password, settings.get("bridge.queue.inbound"), format, files);
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
