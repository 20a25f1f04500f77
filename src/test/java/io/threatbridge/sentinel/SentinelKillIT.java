package io.threatbridge.sentinel;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.chaos.BridgeProcess;
import io.threatbridge.store.TestStores;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import io.threatbridge.broker.BrokerCredentials;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGKILL of the packaged bridge (target/threat-bridge.jar, embedded broker) while a Sentinel call
 * is under way: after the restart every event's row is in the workspace, and the only rows that
 * arrived twice are those of the call that was unanswered when the process died. The fake takes a
 * call's rows when it arrives and answers 2 s later, so the call in flight at the kill has reached
 * the workspace without the bridge knowing: exactly the case the API's lack of an idempotency key
 * makes unavoidable (interface.md 5d).
 */
class SentinelKillIT {

    static final int EVENTS = 1500;
    static final long ANSWER_DELAY_MS = 2000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void sigkillInTheMiddleOfABatchResendsOnlyTheUnansweredCall(String store) throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            fake.rule(SentinelDeliveryTest.DCR, SentinelDeliveryTest.STREAM);
            fake.delayAnswers(ANSWER_DELAY_MS);
            Path integrations = dir.resolve("integrations.yaml");
            Files.writeString(integrations, "integrations:\n" + fake.integration("soc", "tenant-soc", "acme",
                    SentinelDeliveryTest.DCR, SentinelDeliveryTest.STREAM));
            int brokerPort = BridgeHarness.freePort();
            Map<String, String> settings = new HashMap<>(fake.liveSettings());
            settings.putAll(TestStores.settings(store, dir));
            settings.putAll(Map.of(
                    "bridge.data-dir", dir.resolve("data").toString(),
                    "bridge.embedded-broker.port", String.valueOf(brokerPort),
                    "bridge.integrations-file", integrations.toString(),
                    "bridge.http.response-timeout-ms", "10000",
                    "bridge.sentinel.max-rows", "200"));
            try (BridgeProcess bridge = new BridgeProcess(settings, BridgeHarness.freePort(), dir.resolve("bridge.log"))) {
                bridge.start();
                bridge.awaitReady();
                Set<String> sent = send(brokerPort, dir.resolve("data"));

                // a second call has just arrived: the first was answered (the bridge waits for an
                // answer before its next call), this one's answer is 2 s away
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> fake.calls().size() >= 2);
                long killedAt = System.currentTimeMillis();
                bridge.sigkill();
                Set<String> unanswered = new HashSet<>();
                for (FakeLogsIngestion.Call call : fake.calls()) {
                    if (call.atMillis() + ANSWER_DELAY_MS > killedAt) {
                        call.rows().forEach(row -> unanswered.add(row.path("EventId").asText()));
                    }
                }
                assertTrue(!unanswered.isEmpty(), "a call was under way at the kill");
                System.out.printf("sentinel kill (%s): SIGKILL with %d call(s), %d row(s) in the fake, %d of them unanswered%n",
                        store, fake.calls().size(), fake.rowCount(), unanswered.size());

                fake.delayAnswers(0);
                bridge.start();
                bridge.awaitReady();
                await().atMost(Duration.ofSeconds(120)).until(() -> new HashSet<>(fake.eventIds()).containsAll(sent));
                List<String> ids = fake.eventIds();
                assertEquals(sent, new HashSet<>(ids), "every row present, nothing else");
                Map<String, Integer> counts = new HashMap<>();
                ids.forEach(id -> counts.merge(id, 1, Integer::sum));
                counts.forEach((id, count) -> {
                    assertTrue(count <= 2, id + " arrived " + count + " times");
                    if (count == 2) {
                        assertTrue(unanswered.contains(id), id + " arrived twice but its first call was answered");
                    }
                });
                System.out.printf("sentinel kill (%s): %d rows for %d events, %d duplicate(s)%n", store, ids.size(), sent.size(),
                        ids.size() - sent.size());
            }
        }
    }

    /**
     * All events in one transaction, before the kill (the embedded broker dies with the bridge), with
     * the embedded broker's login from the file the bridge wrote at its start.
     */
    private static Set<String> send(int brokerPort, Path dataDir) throws Exception {
        Set<String> sent = new HashSet<>();
        BrokerCredentials login = BrokerCredentials.forClientOfEmbeddedBroker(null, null, dataDir);
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + brokerPort);
             Connection connection = factory.createConnection(login.user(), login.password());
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            for (int i = 0; i < EVENTS; i++) {
                String id = "kill-" + i;
                producer.send(session.createTextMessage(Events.event(id, "acme", "thr-" + i, "CRITICAL", "ACTIVE").toString()));
                sent.add(id);
            }
            session.commit();
        }
        return sent;
    }
}
