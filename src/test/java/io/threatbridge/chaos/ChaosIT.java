package io.threatbridge.chaos;

import io.threatbridge.BridgeHarness;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fault injection with real processes: the packaged bridge against a standalone Artemis 2.40 broker,
 * PostgreSQL as the store and a WireMock Defender over HTTPS. Every event must be accounted for
 * (delivered, filtered, invalid or dead-lettered) and no threat may get two alerts, whatever is
 * killed on the way.
 */
class ChaosIT {

    static final int EVENTS = Integer.getInteger("chaos.events", 3000);

    @TempDir
    Path dir;
    private final Random random = new Random();
    private FakeMicrosoft microsoft;
    private StandaloneBroker broker;
    private BridgeProcess bridge;
    private Traffic traffic;

    /** Broker, fake Microsoft, the PostgreSQL store and bridge up, and the run's events on their way. */
    private Workload start(String runId) throws Exception {
        return start(runId, "postgres");
    }

    /**
     * The same on the store of that kind: PostgreSQL, or the default H2 file in the bridge's data
     * directory, with AUTO_SERVER=TRUE so that the test can read it while the bridge has it open.
     * The bridge makes every H2 file URL durable the way it makes its default one (WRITE_DELAY=0).
     */
    private Workload start(String runId, String store) throws Exception {
        Workload workload = new Workload(EVENTS, random.nextLong(), runId);
        AlertBook book = new AlertBook(Set.of("/t4"));
        microsoft = new FakeMicrosoft(book);
        broker = new StandaloneBroker(dir.resolve("broker"), BridgeHarness.freePort());
        broker.start();
        Map<String, String> storeSettings = "h2".equals(store)
                ? Map.of("bridge.store.url", "jdbc:h2:file:" + dir.resolve("data").resolve("store").toAbsolutePath() + ";AUTO_SERVER=TRUE")
                : Map.of("bridge.store.url", TestStores.POSTGRES + "?currentSchema=" + TestStores.freshPostgresSchema(),
                        "bridge.store.user", TestStores.POSTGRES_USER);
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, workload.integrationsYaml(microsoft.baseUrl()));
        Map<String, String> settings = BridgeProcess.settings(microsoft, broker.url(), storeSettings, integrations);
        settings.putAll(Map.of(
                "bridge.data-dir", dir.resolve("data").toString(),
                "bridge.delivery.initial-delay-ms", "200",
                "bridge.delivery.max-delay-ms", "2000"));
        // quotas lifted: this run is about faults, PacingTest about quotas
        settings.put("bridge.defender.create-per-minute", "0");
        settings.put("bridge.defender.update-per-minute", "0");
        bridge = new BridgeProcess(settings, BridgeHarness.freePort(), dir.resolve("bridge.log"));
        bridge.start();
        bridge.awaitReady();

        // read only while the bridge is up: an H2 reader that found the file free would open it itself
        traffic = new Traffic(workload, book, broker.url() + "?reconnectAttempts=-1&retryInterval=500",
                storeSettings.get("bridge.store.url"), storeSettings.get("bridge.store.user"));
        traffic.send();
        return workload;
    }

    /** On H2 too: a commit the store acknowledged before the kill is there after it, or the event is delivered twice. */
    @ParameterizedTest
    @ValueSource(strings = {"postgres", "h2"})
    void sigkillTheBridgeThreeTimesWhileEventsFlow(String store) throws Exception {
        Workload workload = start("kill", store);
        int pairs = workload.toDeliver.size();
        for (int kill = 1; kill <= 3; kill++) {
            // a random moment within each third of the run
            int threshold = pairs * (kill - 1) / 3 + random.nextInt(Math.max(1, pairs / 4));
            traffic.awaitDelivered(threshold);
            bridge.sigkill();
            System.out.printf("chaos kill: SIGKILL %d at %d delivered pairs, %d events sent%n", kill,
                    traffic.deliveredPairs().size(), traffic.sent());
            bridge.start();
            bridge.awaitReady();
        }
        traffic.awaitSent();
        traffic.account("sigkill x3 (" + store + ")", System.currentTimeMillis(), "");
    }

    @Test
    void restartTheBrokerWhileEventsFlow() throws Exception {
        Workload workload = start("broker");
        int threshold = workload.toDeliver.size() / 4 + random.nextInt(Math.max(1, workload.toDeliver.size() / 4));
        traffic.awaitDelivered(threshold);
        broker.kill();
        await().atMost(Duration.ofSeconds(30)).until(() -> bridge.health() == 503);
        System.out.printf("chaos broker: SIGKILL at %d delivered pairs, health DOWN%n", traffic.deliveredPairs().size());
        broker.start();
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> bridge.health() == 200);
        } catch (org.awaitility.core.ConditionTimeoutException stillDown) {
            HttpResponse<String> answer = bridge.healthAnswer();
            throw new AssertionError("not ready 90 s after the broker restarted: "
                    + (answer == null ? "no answer" : answer.statusCode() + " " + answer.body()), stillDown);
        }
        System.out.println("chaos broker: restarted, health UP");
        traffic.awaitSent();
        traffic.account("broker restart", System.currentTimeMillis(), "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "h2"})
    void sigtermWithEventsInFlightLosesNothing(String store) throws Exception {
        Workload workload = start("term", store);
        int threshold = workload.toDeliver.size() / 3;
        traffic.awaitDelivered(threshold);
        Duration exit = bridge.sigterm();
        System.out.printf("chaos sigterm: exited in %d ms at %d delivered pairs%n", exit.toMillis(), traffic.deliveredPairs().size());
        assertTrue(exit.compareTo(Duration.ofSeconds(30)) < 0, "exit within 30 s of SIGTERM: " + exit);
        bridge.start();
        bridge.awaitReady();
        traffic.awaitSent();
        traffic.account("sigterm (" + store + ")", System.currentTimeMillis(), "");
    }

    @AfterEach
    void stop() throws Exception {
        Traffic.stopRun(traffic, bridge == null ? List.of() : List.of(bridge), broker, microsoft);
    }
}
