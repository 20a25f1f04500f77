package io.threatbridge;

import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.spi.core.protocol.RemotingConnection;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager5;
import org.apache.activemq.artemis.spi.core.security.jaas.UserPrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.security.auth.Subject;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * interface.md section 3, senders: an integration that lists senders takes its accounts' events
 * only from those broker users, as the broker validated them (populate-validated-user, which the
 * shipped standalone configuration turns on); anyone else's go to the invalid queue with a reason
 * that names the sender and the account. The broker here is an Artemis with security on and three
 * users, as a standalone one would be.
 */
class SendersTest {

    private static final Map<String, String> USERS = Map.of("bridge", "bridge-pw", "vendor-a", "a-pw", "vendor-b", "b-pw");

    @TempDir
    Path dir;

    /**
     * Users and passwords above; each may do anything (the roles are the standalone configuration's
     * business). The broker takes the validated user from the subject's UserPrincipal, as it does
     * with the JAAS login modules of a standalone broker.
     */
    private static final class Users implements ActiveMQSecurityManager5 {
        @Override
        public Subject authenticate(String user, String password, RemotingConnection connection, String securityDomain) {
            if (user == null || password == null || !password.equals(USERS.get(user))) {
                return null;
            }
            Subject subject = new Subject();
            subject.getPrincipals().add(new UserPrincipal(user));
            return subject;
        }

        @Override
        public boolean authorize(Subject subject, Set<Role> roles, CheckType checkType, String address) {
            return subject != null;
        }

        @Override
        public boolean validateUser(String user, String password) {
            return authenticate(user, password, null, null) != null;
        }

        @Override
        public boolean validateUserAndRole(String user, String password, Set<Role> roles, CheckType checkType) {
            return validateUser(user, password);
        }
    }

    private EmbeddedActiveMQ broker(int port) throws Exception {
        EmbeddedActiveMQ broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setName("secured").setSecurityEnabled(true).setPopulateValidatedUser(true).setPersistenceEnabled(false)
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
        broker.setSecurityManager(new Users());
        return broker;
    }

    private static void sendAs(int port, String user, String body, String forgedUser) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + port);
             Connection connection = factory.createConnection(user, USERS.get(user));
             Session session = connection.createSession();
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            Message message = session.createTextMessage(body);
            if (forgedUser != null) {
                message.setStringProperty("_AMQ_VALIDATED_USER", forgedUser);
            }
            producer.send(message);
        }
    }

    @Test
    void onlyListedSendersMaySendForAnAccount() throws Exception {
        int port = BridgeHarness.freePort();
        EmbeddedActiveMQ broker = broker(port);
        broker.start();
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                    senders: [vendor-a]
                  - name: fabrikam
                    tenantId: 0b1c2d3e-86f1-41af-91ab-2d7cd011db47
                    accounts: [globex]
                """, Map.of("bridge.broker.url", "tcp://127.0.0.1:" + port,
                "bridge.broker.user", "bridge", "bridge.broker.password", "bridge-pw"))) {
            sendAs(port, "vendor-a", Events.event("a-1", "acme", "thr-a-1", "CRITICAL", "ACTIVE").toString(), null);
            await().until(() -> bridge.store().isDone("contoso", "a-1"));

            String intruder = Events.event("b-1", "acme", "thr-a-1", "CRITICAL", "RESOLVED").toString();
            sendAs(port, "vendor-b", intruder, null);
            Message refused = bridge.receive("threats.invalid", 30_000);
            assertNotNull(refused);
            assertEquals(intruder, BridgeHarness.text(refused));
            assertEquals("sender: broker user 'vendor-b' may not send events for account 'acme' (not among the senders of integration contoso)",
                    refused.getStringProperty("bridgeError"));

            // the validated user is the broker's to set: a vendor that sets it itself is overruled
            String forged = Events.event("b-2", "acme", "thr-a-1", "CRITICAL", "RESOLVED").toString();
            sendAs(port, "vendor-b", forged, "vendor-a");
            Message overruled = bridge.receive("threats.invalid", 30_000);
            assertNotNull(overruled);
            assertEquals(forged, BridgeHarness.text(overruled));

            // an integration without senders takes its accounts' events from any user the broker admits
            sendAs(port, "vendor-b", Events.event("b-3", "globex", "thr-b-3", "CRITICAL", "ACTIVE").toString(), null);
            await().until(() -> bridge.store().isDone("fabrikam", "b-3"));
            // the intruder's RESOLVED events never reached delivery
            assertEquals(false, bridge.store().isDone("contoso", "b-1"));
            assertEquals(false, bridge.store().isDone("contoso", "b-2"));
            assertNull(bridge.receive("threats.invalid", 200));
        } finally {
            broker.stop();
        }
    }
}
