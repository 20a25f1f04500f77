package io.threatbridge;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.MapMessage;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.StreamMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vendor that attacks the bridge, end to end through the embedded broker: every hostile message
 * ends where interface.md section 4 says (the invalid queue, with a reason naming what is wrong),
 * and an ordinary event sent after each one is still delivered: the tenant keeps delivering.
 */
class HostileVendorTest {

    /** Set when anything in this JVM (the bridge runs in it) deserializes a {@link Tripwire}. */
    static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

    @TempDir
    static Path dir;
    static BridgeHarness bridge;
    static ActiveMQConnectionFactory vendorFactory;
    static Connection vendor;
    private static int sequence;

    /** A class whose deserialization the test would see: the classic gadget's first step. */
    static final class Tripwire implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme, globex]
                """);
        vendorFactory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + bridge.brokerPort);
        // the embedded broker's one login: a vendor on the bridge's host uses it too
        vendor = vendorFactory.createConnection(bridge.brokerUser, bridge.brokerPassword);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            vendor.close();
            vendorFactory.close();
        } finally {
            bridge.close();
        }
    }

    private interface MessageMaker {
        Message make(Session session) throws Exception;
    }

    private static void send(MessageMaker maker) throws Exception {
        try (Session session = vendor.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            producer.send(maker.make(session));
        }
    }

    /** The invalid copy of the hostile message; then an ordinary event is sent and must be delivered. */
    private static Message invalidCopyThenTheTenantStillDelivers() throws Exception {
        Message parked = bridge.receive("threats.invalid", 30_000);
        assertNotNull(parked, "the hostile message reached the invalid queue");
        String id = "after-" + sequence++;
        bridge.send(Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE").toString());
        await().until(() -> bridge.store().isDone("contoso", id));
        return parked;
    }

    @Test
    void anObjectMessageIsRefusedByItsTypeAndNeverDeserialized() throws Exception {
        send(session -> session.createObjectMessage(new Tripwire()));
        Message parked = invalidCopyThenTheTenantStillDelivers();
        assertTrue(parked.getStringProperty("bridgeError").startsWith("message type: ObjectMessage is not accepted"),
                parked.getStringProperty("bridgeError"));
        assertFalse(DESERIALIZED.get(), "the vendor's object was deserialized");
    }

    @Test
    void mapAndStreamMessagesAreRefusedByTheirType() throws Exception {
        send(session -> {
            MapMessage map = session.createMapMessage();
            map.setString("eventId", "map-1");
            return map;
        });
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("message type: MapMessage"));
        send(session -> {
            StreamMessage stream = session.createStreamMessage();
            stream.writeString("{}");
            return stream;
        });
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("message type: StreamMessage"));
        send(Session::createMessage);
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("message type: a message without a body"));
    }

    @Test
    void tenMebibytesAreRefusedByTheirSizeBeforeTheBodyIsRead() throws Exception {
        byte[] huge = new byte[10 * 1024 * 1024];
        Arrays.fill(huge, (byte) 'x');
        send(session -> {
            BytesMessage bytes = session.createBytesMessage();
            bytes.writeBytes(huge);
            return bytes;
        });
        Message parked = invalidCopyThenTheTenantStillDelivers();
        assertEquals("message body: 10485760 bytes, more than the limit of 262144 bytes (the body was not read and is not copied here)",
                parked.getStringProperty("bridgeError"));
        send(session -> session.createTextMessage(new String(huge, StandardCharsets.US_ASCII)));
        parked = invalidCopyThenTheTenantStillDelivers();
        assertTrue(parked.getStringProperty("bridgeError").startsWith("message body: a text message of about 10485"),
                parked.getStringProperty("bridgeError"));
    }

    /**
     * Ids at the limit in emoji (two UTF-16 units each) are delivered; one more is refused at ingest
     * naming the field; CR/LF and NUL in ids are refused too (they would forge log and description
     * lines, and PostgreSQL cannot store a NUL); and an event that reaches a delivery queue by
     * another way with an id the store cannot hold is dead-lettered naming the field, not retried
     * as a store outage for ever while the tenant's queue waits behind it.
     */
    @Test
    void idsThatWouldOverflowOrForgeLinesEndWhereTheContractSays() throws Exception {
        String emojiId = "\uD83D\uDE00".repeat(128);
        bridge.send(Events.event(emojiId, "acme", "\uD83D\uDC1B".repeat(256), "CRITICAL", "ACTIVE").toString());
        await().until(() -> bridge.store().isDone("contoso", "acme", emojiId));

        bridge.send(Events.event("\uD83D\uDE00".repeat(129), "acme", "thr-129", "CRITICAL", "ACTIVE").toString());
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("eventId: "));
        bridge.send(Events.event("crlf\r\nEvent id: forged", "acme", "thr-crlf", "CRITICAL", "ACTIVE").toString());
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("eventId: contains a control character"));
        bridge.send(Events.event("nul", "acme", "thr\u0000nul", "CRITICAL", "ACTIVE").toString());
        assertTrue(invalidCopyThenTheTenantStillDelivers().getStringProperty("bridgeError").startsWith("threat.id: contains a control character"));

        String overflow = Events.event("e".repeat(300), "acme", "thr-overflow", "CRITICAL", "ACTIVE").toString();
        bridge.sendToDelivery("contoso", overflow);
        Message parked = bridge.receive("threats.dlq", 30_000);
        assertNotNull(parked, "dead-lettered, not waited on as a store outage");
        assertEquals(overflow, BridgeHarness.text(parked));
        assertEquals("eventId: 300 UTF-16 units, more than the store's 256", parked.getStringProperty("bridgeError"));
        invalidOrNotTheTenantStillDelivers();
    }

    private static void invalidOrNotTheTenantStillDelivers() throws Exception {
        String id = "after-" + sequence++;
        bridge.send(Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE").toString());
        await().until(() -> bridge.store().isDone("contoso", id));
    }

    /** A vendor of another account that uses acme's threat id neither suppresses nor resolves acme's alert. */
    @Test
    void anotherAccountsThreatIdTouchesNothingOfAcmes() throws Exception {
        bridge.send(Events.event("acme-shared", "acme", "thr-shared", "CRITICAL", "ACTIVE").toString());
        await().until(() -> bridge.store().isDone("contoso", "acme", "acme-shared"));
        String acmeAlert = bridge.store().alertId("contoso", "acme", "thr-shared");
        assertNotNull(acmeAlert);
        bridge.send(Events.event("acme-shared", "globex", "thr-shared", "CRITICAL", "RESOLVED").toString());
        await().until(() -> bridge.store().isDone("contoso", "globex", "acme-shared"));
        String globexAlert = bridge.store().alertId("contoso", "globex", "thr-shared");
        assertNotNull(globexAlert, "globex's RESOLVED made (and resolved) an alert of its own");
        assertFalse(acmeAlert.equals(globexAlert), "not acme's alert: " + acmeAlert);
        assertEquals(0, bridge.dryRunLines().stream().filter(l -> l.path("path").asText().endsWith(acmeAlert)).count(),
                "acme's alert is not resolved: " + bridge.dryRunLines());
        assertEquals(1, bridge.dryRunLines().stream().filter(l -> l.path("path").asText().endsWith(globexAlert)).count(),
                "globex's is");
    }

    /**
     * Properties whose names the bridge uses, set by a vendor, never reach the invalid queue (where
     * replay and purge select by them) nor change what the bridge does with the event.
     */
    @Test
    void forgedBridgePropertiesAreDroppedOnTheWayIn() throws Exception {
        send(session -> {
            Message forged = session.createTextMessage("not json");
            forged.setStringProperty("bridgeIntegration", "contoso");
            forged.setIntProperty("bridgeHttpStatus", 500);
            forged.setStringProperty("bridgeEventId", "someone-elses");
            forged.setStringProperty("bridgeError", "forged");
            forged.setStringProperty("vendorTrace", "kept");
            forged.setStringProperty("bridgeFormat", "section-4b");
            return forged;
        });
        Message parked = invalidCopyThenTheTenantStillDelivers();
        // the vendor's bridgeFormat stays, so the message is read as that (unknown) format
        assertTrue(parked.getStringProperty("bridgeError").startsWith("bridgeFormat: 'section-4b' is not a known format"),
                parked.getStringProperty("bridgeError"));
        assertNull(parked.getStringProperty("bridgeIntegration"));
        assertFalse(parked.propertyExists("bridgeHttpStatus"));
        assertNull(parked.getStringProperty("bridgeEventId"));
        assertEquals("kept", parked.getStringProperty("vendorTrace"), "the vendor's own properties stay");
        assertEquals("section-4b", parked.getStringProperty("bridgeFormat"), "bridgeFormat is the vendor's (interface.md 4b)");

        String id = "forged-attempt";
        send(session -> {
            Message event = session.createTextMessage(Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE").toString());
            event.setIntProperty("bridgeAttempt", 99);
            event.setStringProperty("bridgeIntegration", "elsewhere");
            return event;
        });
        await().until(() -> bridge.store().isDone("contoso", id));
        assertNull(bridge.receive("threats.dlq", 200), "a forged attempt count does not send the event to the DLQ");
    }
}
