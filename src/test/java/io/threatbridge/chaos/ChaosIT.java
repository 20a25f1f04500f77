package io.threatbridge.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.BridgeHarness;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.store.TestStores;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection with real processes: the packaged bridge against a standalone Artemis 2.40 broker,
 * PostgreSQL as the store and a WireMock Defender over HTTPS. Every event must be accounted for
 * (delivered, filtered, invalid or dead-lettered) and no threat may get two alerts, whatever is
 * killed on the way.
 */
class ChaosIT {

    static final int EVENTS = Integer.getInteger("chaos.events", 3000);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final Random random = new Random();
    private AlertBook book;
    private FakeMicrosoft microsoft;
    private StandaloneBroker broker;
    private BridgeProcess bridge;
    private String schema;
    private Connection client;
    private final Set<String> deadLettered = ConcurrentHashMap.newKeySet();
    private final Set<String> invalidSeen = ConcurrentHashMap.newKeySet();

    private final AtomicInteger sent = new AtomicInteger();
    private Thread sender;

    /** Broker, fake Microsoft, store and bridge up, and the run's events on their way. */
    private Workload start(String runId) throws Exception {
        Workload workload = new Workload(EVENTS, random.nextLong(), runId);
        book = new AlertBook(Set.of("/t4"));
        microsoft = new FakeMicrosoft(book);
        broker = new StandaloneBroker(dir.resolve("broker"), BridgeHarness.freePort());
        broker.start();
        schema = TestStores.freshPostgresSchema();
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, workload.integrationsYaml(microsoft.baseUrl()));
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.putAll(Map.of(
                "bridge.broker.url", broker.url(),
                "bridge.broker.user", StandaloneBroker.USER,
                "bridge.broker.password", StandaloneBroker.PASSWORD,
                "bridge.store.url", TestStores.POSTGRES + "?currentSchema=" + schema,
                "bridge.store.user", TestStores.POSTGRES_USER,
                "bridge.integrations-file", integrations.toString(),
                "bridge.data-dir", dir.resolve("data").toString(),
                "bridge.delivery.initial-delay-ms", "200",
                "bridge.delivery.max-delay-ms", "2000"));
        // quotas lifted: this run is about faults, PacingTest about quotas
        settings.put("bridge.defender.create-per-minute", "0");
        settings.put("bridge.defender.update-per-minute", "0");
        bridge = new BridgeProcess(settings, BridgeHarness.freePort(), dir.resolve("bridge.log"));
        bridge.start();
        bridge.awaitReady();

        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url() + "?reconnectAttempts=-1&retryInterval=500");
        client = factory.createConnection(StandaloneBroker.USER, StandaloneBroker.PASSWORD);
        Session dlq = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
        dlq.createConsumer(dlq.createQueue("threats.dlq")).setMessageListener(m -> deadLettered.add(
                property(m, "bridgeIntegration") + " " + eventId(m)));
        Session invalid = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
        invalid.createConsumer(invalid.createQueue("threats.invalid")).setMessageListener(m -> invalidSeen.add(eventId(m)));
        client.start();
        sender = sendInBackground(workload, sent);
        return workload;
    }

    /** Sends every event in transacted batches, each batch again until it is committed. */
    private Thread sendInBackground(Workload workload, AtomicInteger sent) {
        Thread sender = new Thread(() -> {
            try (Session session = client.createSession(true, Session.SESSION_TRANSACTED);
                 MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
                for (int from = 0; from < workload.bodies.size(); from += 50) {
                    int to = Math.min(from + 50, workload.bodies.size());
                    while (true) {
                        try {
                            for (String body : workload.bodies.subList(from, to)) {
                                producer.send(session.createTextMessage(body));
                            }
                            session.commit();
                            break;
                        } catch (JMSException brokerGone) {
                            try {
                                session.rollback();
                            } catch (JMSException ignored) {
                                // the retry below sends the batch again
                            }
                        }
                    }
                    sent.set(to);
                }
            } catch (JMSException e) {
                throw new IllegalStateException(e);
            }
        }, "chaos-sender");
        sender.start();
        return sender;
    }

    private Set<String> deliveredPairs() {
        try (java.sql.Connection db = DriverManager.getConnection(TestStores.POSTGRES + "?currentSchema=" + schema, TestStores.POSTGRES_USER, null);
             Statement statement = db.createStatement();
             ResultSet rows = statement.executeQuery("SELECT integration, event_id FROM delivered_event")) {
            Set<String> pairs = new HashSet<>();
            while (rows.next()) {
                pairs.add(rows.getString(1) + " " + rows.getString(2));
            }
            return pairs;
        } catch (java.sql.SQLException storeNotReadyYet) {
            return Set.of();
        }
    }

    /** Waits until this many (integration, event) pairs are delivered: the moment a fault is injected. */
    private void awaitDelivered(int pairs) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).until(() -> deliveredPairs().size() >= pairs);
    }

    private boolean accountedFor(Workload workload) {
        return deliveredPairs().containsAll(workload.toDeliver) && deadLettered.containsAll(workload.toDeadLetter)
                && invalidSeen.containsAll(workload.invalid);
    }

    /** Waits until every event is accounted for, then checks and prints the accounting. */
    private void account(String scenario, Workload workload, long sendDoneAt) {
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> accountedFor(workload));
        long drain = System.currentTimeMillis() - sendDoneAt;
        Set<String> delivered = deliveredPairs();
        Set<String> lost = new HashSet<>(workload.toDeliver);
        lost.removeAll(delivered);
        Set<String> lostDeadLetters = new HashSet<>(workload.toDeadLetter);
        lostDeadLetters.removeAll(deadLettered);
        Set<String> unexpected = new HashSet<>(delivered);
        unexpected.removeAll(workload.toDeliver);
        Map<String, Long> createsPerThreat = book.created().stream().collect(Collectors.groupingBy(
                c -> c.prefix() + " " + workload.threatOfEvent.get(c.reportId()), Collectors.counting()));
        long duplicates = createsPerThreat.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
        System.out.printf("chaos %s: sent=%d pairs=%d delivered=%d filtered=%d invalid=%d dlq=%d creates=%d resolves=%d "
                        + "duplicates=%d lost=%d drain=%.1fs%n", scenario, workload.bodies.size(),
                workload.toDeliver.size() + workload.toDeadLetter.size(), delivered.size(), workload.filtered,
                invalidSeen.size(), deadLettered.size(), book.created().size(), book.resolveCount(), duplicates,
                lost.size() + lostDeadLetters.size(), drain / 1000.0);
        assertEquals(Set.of(), lost, "lost deliveries");
        assertEquals(Set.of(), lostDeadLetters, "lost dead letters");
        assertEquals(Set.of(), unexpected, "deliveries nobody asked for");
        assertEquals(0, duplicates, "duplicate creates: " + createsPerThreat.entrySet().stream().filter(e -> e.getValue() > 1).toList());
        assertEquals(workload.toDeliver.size() + workload.toDeadLetter.size() + workload.filtered + workload.invalid.size(),
                delivered.size() + deadLettered.size() + workload.filtered + invalidSeen.size(),
                "delivered + filtered + invalid + dead-lettered = sent");
    }

    @Test
    void sigkillTheBridgeThreeTimesWhileEventsFlow() throws Exception {
        Workload workload = start("kill");
        int pairs = workload.toDeliver.size();
        for (int kill = 1; kill <= 3; kill++) {
            // a random moment within each third of the run
            int threshold = pairs * (kill - 1) / 3 + random.nextInt(Math.max(1, pairs / 4));
            awaitDelivered(threshold);
            bridge.sigkill();
            System.out.printf("chaos kill: SIGKILL %d at %d delivered pairs, %d events sent%n", kill, deliveredPairs().size(), sent.get());
            bridge.start();
            bridge.awaitReady();
        }
        sender.join();
        account("sigkill x3", workload, System.currentTimeMillis());
    }

    @Test
    void restartTheBrokerWhileEventsFlow() throws Exception {
        Workload workload = start("broker");
        int threshold = workload.toDeliver.size() / 4 + random.nextInt(Math.max(1, workload.toDeliver.size() / 4));
        awaitDelivered(threshold);
        broker.kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.health() == 503);
        System.out.printf("chaos broker: SIGKILL at %d delivered pairs, health DOWN%n", deliveredPairs().size());
        broker.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> bridge.health() == 200);
        } catch (org.awaitility.core.ConditionTimeoutException stillDown) {
            HttpResponse<String> answer = bridge.healthAnswer();
            throw new AssertionError("not ready 90 s after the broker restarted: "
                    + (answer == null ? "no answer" : answer.statusCode() + " " + answer.body()), stillDown);
        }
        System.out.println("chaos broker: restarted, health UP");
        sender.join();
        account("broker restart", workload, System.currentTimeMillis());
    }

    @Test
    void sigtermWithEventsInFlightLosesNothing() throws Exception {
        Workload workload = start("term");
        int threshold = workload.toDeliver.size() / 3;
        awaitDelivered(threshold);
        Duration exit = bridge.sigterm();
        System.out.printf("chaos sigterm: exited in %d ms at %d delivered pairs%n", exit.toMillis(), deliveredPairs().size());
        assertTrue(exit.compareTo(Duration.ofSeconds(30)) < 0, "exit within 30 s of SIGTERM: " + exit);
        bridge.start();
        bridge.awaitReady();
        sender.join();
        account("sigterm", workload, System.currentTimeMillis());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
            if (bridge != null) {
                bridge.close();
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (microsoft != null) {
                microsoft.close();
            }
        }
    }

    private static String property(Message message, String name) {
        try {
            return message.getStringProperty(name);
        } catch (JMSException e) {
            return null;
        }
    }

    private static String eventId(Message message) {
        try {
            return JSON.readTree(((TextMessage) message).getText()).path("eventId").asText();
        } catch (Exception e) {
            return "unreadable";
        }
    }
}
