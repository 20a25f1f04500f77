package io.threatbridge.chaos;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.BridgeHarness;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.integration.FilterLevel;
import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three instances of the packaged bridge on one standalone broker and one PostgreSQL store, as
 * docs/deployment.md sets them up: they share the inbound queue; each integration's queue is
 * delivered by one instance at a time (exclusive queues); the instance that delivers most is
 * SIGKILLed mid-flow and the others must take its integrations over within 10 s. Tenant a has two
 * integrations, which may be delivered by two instances at once, and its quota must hold for the
 * tenant as a whole. The quota window is shortened to 1 s so that pacing shapes the whole run. The
 * shared integrations file gains an integration while they run, which each must apply by itself.
 */
class MultiInstanceIT {

    static final int EVENTS = Integer.getInteger("multi.events", 400);
    static final int INSTANCES = 3;
    static final int CREATES_PER_WINDOW = 10;
    static final int UPDATES_PER_WINDOW = 20;
    static final long WINDOW_MS = 1000;
    /** WireMock and the store keep milliseconds: two readings of one instant can differ by that. */
    static final long CLOCK_GRANULARITY_MS = 2;
    static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(10);

    static final List<Workload.Target> TARGETS = List.of(
            new Workload.Target("a1", "tenant-a", List.of("acct-0", "acct-shared"), FilterLevel.NORMAL_AND_ABOVE, false),
            new Workload.Target("a2", "tenant-a", List.of("acct-1"), FilterLevel.LOW_AND_ABOVE, false),
            new Workload.Target("b", "tenant-b", List.of("acct-2", "acct-shared"), FilterLevel.ELEVATED_AND_ABOVE, false),
            new Workload.Target("c", "tenant-c", List.of("acct-3"), FilterLevel.NORMAL_AND_ABOVE, false));
    static final List<String> ACCOUNTS = List.of("acct-0", "acct-1", "acct-2", "acct-3", "acct-shared");

    @TempDir
    Path dir;
    private final Random random = new Random();
    private FakeMicrosoft microsoft;
    private StandaloneBroker broker;
    private final List<BridgeProcess> bridges = new ArrayList<>();
    private Traffic traffic;

    @Test
    void instancesShareTheWorkAndTakeOverFromOneThatIsKilled() throws Exception {
        Workload workload = new Workload(EVENTS, random.nextLong(), "multi", TARGETS, ACCOUNTS);
        AlertBook book = new AlertBook(Set.of());
        microsoft = new FakeMicrosoft(book);
        broker = new StandaloneBroker(dir.resolve("broker"), BridgeHarness.freePort());
        broker.start();
        String schema = TestStores.freshPostgresSchema();
        // one integrations file and one store for all instances; the file starts without the last integration
        Path integrations = dir.resolve("integrations.yaml");
        String yaml = workload.integrationsYaml(microsoft.baseUrl());
        Files.writeString(integrations, yaml.substring(0, yaml.lastIndexOf("  - name: ")));
        Map<String, String> settings = BridgeProcess.settings(microsoft, broker.url(), schema, integrations);
        settings.putAll(Map.of(
                "bridge.defender.create-per-minute", String.valueOf(CREATES_PER_WINDOW),
                "bridge.defender.update-per-minute", String.valueOf(UPDATES_PER_WINDOW),
                "bridge.defender.quota-window-ms", String.valueOf(WINDOW_MS),
                "bridge.integrations-reload-ms", "1000"));
        // started together, so that which instance gets which integration's queue is left to the broker
        BridgeProcess.startInstances(settings, INSTANCES, dir, bridges);

        // a configuration change rolled out as docs/deployment.md says: the shared file replaced in one
        // move, each instance applies it by itself; events for the new integration wait until all have
        Path edited = dir.resolve("integrations.yaml.new");
        Files.writeString(edited, yaml);
        Files.move(edited, integrations, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        long editedAt = System.currentTimeMillis();
        String added = TARGETS.get(TARGETS.size() - 1).name();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (BridgeProcess bridge : bridges) {
                if (!bridge.integrations().contains(added)) {
                    return false;
                }
            }
            return true;
        });
        long rolledOut = System.currentTimeMillis() - editedAt;

        traffic = new Traffic(workload, book, broker.url() + "?reconnectAttempts=-1&retryInterval=500", schema);
        traffic.send();
        traffic.awaitDelivered(30 + random.nextInt(30));

        // the instance that delivers the most integrations right now is the one to kill
        Map<String, Integer> owner = owners();
        int victim = owner.values().stream().collect(Collectors.groupingBy(i -> i, Collectors.counting()))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        Map<String, Long> deliveredAtKill = perIntegration(traffic.deliveredPairs());
        Map<String, Long> toDeliver = perIntegration(workload.toDeliver);
        List<String> takenOver = owner.entrySet().stream().filter(e -> e.getValue() == victim).map(Map.Entry::getKey)
                .filter(name -> deliveredAtKill.getOrDefault(name, 0L) < toDeliver.get(name)).sorted().toList();
        assertFalse(takenOver.isEmpty(), "the instance to kill still has work: " + owner + " " + deliveredAtKill);
        long[] ingested = new long[INSTANCES];
        ingested[victim] = bridges.get(victim).ingested();

        long killedAt = System.currentTimeMillis();
        bridges.get(victim).sigkill();
        long deadAt = System.currentTimeMillis();
        System.out.printf("chaos multi-instance: SIGKILL bridge-%d (delivering %s) at %d delivered pairs, %d events sent%n",
                victim + 1, takenOver, traffic.deliveredPairs().size(), traffic.sent());
        // taken over: a Defender call for each of its integrations, made after it died
        Map<String, Long> resumedAt = new TreeMap<>();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (String name : takenOver) {
                microsoft.calls("/" + name).stream().mapToLong(r -> r.getLoggedDate().getTime()).filter(t -> t > deadAt).min()
                        .ifPresent(t -> resumedAt.put(name, t - killedAt));
            }
            return resumedAt.keySet().containsAll(takenOver);
        });
        long takeover = resumedAt.values().stream().mapToLong(Long::longValue).max().orElseThrow();

        traffic.awaitSent();
        long sentAt = System.currentTimeMillis();
        for (int i = 0; i < INSTANCES; i++) {
            if (i != victim) {
                ingested[i] = bridges.get(i).ingested();
            }
        }
        Map<String, Integer> overQuota = overQuota(workload);
        traffic.account("multi-instance", sentAt, String.format(" takeover=%dms %s ingested=%s over-quota=%s config-rollout=%dms",
                takeover, resumedAt, java.util.Arrays.toString(ingested), overQuota, rolledOut));

        assertTrue(takeover < TAKEOVER_LIMIT.toMillis(), "the others took over within " + TAKEOVER_LIMIT + ": " + resumedAt);
        for (int i = 0; i < INSTANCES; i++) {
            assertTrue(ingested[i] > 0, "every instance takes events off the inbound queue: " + java.util.Arrays.toString(ingested));
        }
        assertEquals(Map.of(), overQuota.entrySet().stream().filter(e -> e.getValue() > 0)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "calls over a tenant's quota");
    }

    /** For each integration, the instance that delivered for it last. */
    private Map<String, Integer> owners() throws Exception {
        Map<String, Instant> latest = new HashMap<>();
        Map<String, Integer> owner = new TreeMap<>();
        for (int i = 0; i < bridges.size(); i++) {
            for (Map.Entry<String, Instant> last : bridges.get(i).lastDelivered().entrySet()) {
                if (latest.get(last.getKey()) == null || last.getValue().isAfter(latest.get(last.getKey()))) {
                    latest.put(last.getKey(), last.getValue());
                    owner.put(last.getKey(), i);
                }
            }
        }
        return owner;
    }

    private static Map<String, Long> perIntegration(Set<String> pairs) {
        return pairs.stream().collect(Collectors.groupingBy(pair -> pair.substring(0, pair.indexOf(' ')), Collectors.counting()));
    }

    /**
     * Per tenant and kind of call, how often Defender saw more calls than the quota within one window:
     * the calls of all the tenant's integrations, from all instances, in the order Defender got them.
     */
    private Map<String, Integer> overQuota(Workload workload) {
        Map<String, Integer> over = new TreeMap<>();
        for (String tenant : workload.targets.stream().map(Workload.Target::tenant).distinct().toList()) {
            List<LoggedRequest> calls = workload.targets.stream().filter(t -> t.tenant().equals(tenant))
                    .flatMap(t -> microsoft.calls("/" + t.name()).stream()).toList();
            over.put(tenant + " creates", overQuota(calls.stream().filter(r -> r.getMethod().getName().equals("POST")).toList(),
                    CREATES_PER_WINDOW));
            over.put(tenant + " updates", overQuota(calls.stream().filter(r -> !r.getMethod().getName().equals("POST")).toList(),
                    UPDATES_PER_WINDOW));
        }
        return over;
    }

    private static int overQuota(List<LoggedRequest> calls, int quota) {
        List<Long> times = calls.stream().map(r -> r.getLoggedDate().getTime()).sorted().toList();
        int over = 0;
        for (int i = quota; i < times.size(); i++) {
            if (times.get(i) - times.get(i - quota) < WINDOW_MS - CLOCK_GRANULARITY_MS) {
                over++;
            }
        }
        return over;
    }

    @AfterEach
    void stop() throws Exception {
        Traffic.stopRun(traffic, bridges, broker, microsoft);
    }
}
