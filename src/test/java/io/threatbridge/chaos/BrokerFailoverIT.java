package io.threatbridge.chaos;

import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged bridges on a replicated Artemis pair (artemis/ha/), with the client URL of
 * docs/deployment.md: the primary is SIGKILLed while events flow, the bridges and the vendor carry
 * on with the backup, then the primary is started again and takes over (fail-back) while more
 * events come. Nothing may be lost or duplicated on the way.
 */
class BrokerFailoverIT {

    static final int EVENTS = Integer.getInteger("failover.events", 2000);
    /** Events sent after fail-back: the pair must serve them as it served the first. */
    static final int AFTER_FAILBACK = EVENTS / 4;
    /** Generous: on the shared 2-core machine a loaded moment stretched 5 s to 16 s. */
    static final Duration FAILOVER_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final Random random = new Random();
    private FakeMicrosoft microsoft;
    private StandaloneBroker.Pair pair;
    private final List<BridgeProcess> bridges = new ArrayList<>();
    private Traffic traffic;

    @Test
    void primaryKilledWhileEventsFlowThenFailBack() throws Exception {
        Workload workload = new Workload(EVENTS, random.nextLong(), "failover");
        AlertBook book = new AlertBook(Set.of("/t4"));
        microsoft = new FakeMicrosoft(book);
        pair = StandaloneBroker.replicatedPair(dir.resolve("brokers"));
        pair.start();
        String schema = TestStores.freshPostgresSchema();
        Path integrations = dir.resolve("integrations.yaml");
        Files.writeString(integrations, workload.integrationsYaml(microsoft.baseUrl()));
        Map<String, String> settings = BridgeProcess.settings(microsoft, pair.url(), schema, integrations);
        settings.putAll(Map.of(
                "bridge.delivery.initial-delay-ms", "200",
                "bridge.delivery.max-delay-ms", "2000",
                // quotas lifted: events must be flowing fast when the primary goes
                "bridge.defender.create-per-minute", "0",
                "bridge.defender.update-per-minute", "0"));
        BridgeProcess.startInstances(settings, 2, dir, bridges);

        traffic = new Traffic(workload, book, pair.url(), schema);
        int beforeFailback = EVENTS - AFTER_FAILBACK;
        traffic.send(0, beforeFailback);
        int pairs = workload.toDeliver.size();
        traffic.awaitDelivered(pairs / 5 + random.nextInt(Math.max(1, pairs / 4)));

        int deliveredAtKill = traffic.deliveredPairs().size();
        long killedAt = System.currentTimeMillis();
        pair.primary().kill();
        await().atMost(FAILOVER_LIMIT).pollInterval(Duration.ofMillis(50)).until(pair.backup()::accepting);
        long backupActiveAt = System.currentTimeMillis();
        long backupActive = backupActiveAt - killedAt;
        // resumed: Defender's first call once the backup took clients (the fake answers at once, so no
        // delivery begun on the primary is still calling by then); flowing: well past the deliveries
        // that were finishing when the primary died
        await().atMost(FAILOVER_LIMIT).pollInterval(Duration.ofMillis(50)).until(() -> firstCallAfter(backupActiveAt) > 0);
        long resumed = firstCallAfter(backupActiveAt) - killedAt;
        await().atMost(FAILOVER_LIMIT).pollInterval(Duration.ofMillis(100))
                .until(() -> traffic.deliveredPairs().size() > deliveredAtKill + 50);
        long flowing = System.currentTimeMillis() - killedAt;
        await().atMost(FAILOVER_LIMIT).until(() -> bridges.stream().allMatch(bridge -> bridge.health() == 200));
        long healthy = System.currentTimeMillis() - killedAt;
        System.out.printf("chaos failover: primary SIGKILLed at %d delivered pairs, %d events sent; backup active after %d ms, "
                        + "first Defender call after %d ms, 50 more pairs delivered after %d ms, bridges healthy after %d ms%n",
                deliveredAtKill, traffic.sent(), backupActive, resumed, flowing, healthy);
        traffic.awaitSent();

        long restartedAt = System.currentTimeMillis();
        // the primary accepts clients once the backup has handed over to it
        pair.primary().start();
        long primaryActive = System.currentTimeMillis() - restartedAt;
        pair.backup().awaitInSyncAfterFailback(2);
        int deliveredAtFailback = traffic.deliveredPairs().size();
        traffic.send(beforeFailback, EVENTS);
        await().atMost(FAILOVER_LIMIT).pollInterval(Duration.ofMillis(100))
                .until(() -> traffic.deliveredPairs().size() > deliveredAtFailback + 50);
        long failback = System.currentTimeMillis() - restartedAt;
        await().atMost(FAILOVER_LIMIT).until(() -> bridges.stream().allMatch(bridge -> bridge.health() == 200));
        System.out.printf("chaos failover: primary restarted, active again after %d ms, backup in sync again, "
                + "deliveries after fail-back %d ms from the restart%n", primaryActive, failback);
        traffic.awaitSent();
        traffic.account("broker failover", System.currentTimeMillis(), String.format(
                " backup-active=%dms resumed=%dms flowing=%dms primary-active-again=%dms", backupActive, resumed, flowing, primaryActive));

        assertTrue(flowing < FAILOVER_LIMIT.toMillis(), "deliveries flow again on the backup within " + FAILOVER_LIMIT);
    }

    /** When Defender got its first call after that moment, or 0 if none yet. */
    private long firstCallAfter(long moment) {
        return microsoft.server.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(request -> request.getUrl().contains("/api/alerts")).map(request -> request.getLoggedDate().getTime())
                .filter(at -> at > moment).min(Long::compare).orElse(0L);
    }

    @AfterEach
    void stop() throws Exception {
        Traffic.stopRun(traffic, bridges, pair, microsoft);
    }
}
