package io.threatbridge.bench;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.chaos.BridgeProcess;
import io.threatbridge.chaos.StandaloneBroker;
import io.threatbridge.store.TestStores;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 16's goals for thousands of integrations, measured black-box on the packaged jar: N
 * integrations (bench.tenants, or BENCH_TENANTS; 5,000), one per tenant (a UUID) and per console
 * account, live against the fake over HTTPS (api: auto; every tenant's Defender holds an event of
 * the sample device, so each first event makes one hunting call, then the create), the standalone
 * broker, a fresh PostgreSQL schema, the bridge at -Xmx1g with the default settings (pacing on).
 * <ol>
 * <li>start: process start to readiness; after 30 s idle its threads, RSS, heap, and CPU over 30 s</li>
 * <li>every integration delivers: one event to each at 50/s, enqueue-to-Defender latency</li>
 * <li>isolation: one tenant's Defender answers 503 with a backlog of 1,000; the others' p99 with and without</li>
 * <li>reload: one integration added to the file; until the bridge logs the reload, and until it delivers</li>
 * <li>three instances on the same broker, store and file: each one's share; one killed, until its share delivers again</li>
 * </ol>
 * Every wait has a limit: a goal not reached is reported ("never within ...") and the run goes on.
 * Latency is measured as in the other scenarios, from a send time carried in the event id; which
 * event reached the fake when comes from {@link BenchDefender#createdAt}.
 */
final class Tenants {

    private static final String SCENARIO = "tenants";
    /**
     * The bridge's line for each delivered event (routes/delivery.camel.yaml, logger io.threatbridge.delivered):
     * created, or already-alerted / found-after-unanswered-create when a create's answer was not recorded.
     */
    private static final Pattern DELIVERED = Pattern.compile(" - (?:created|already-alerted|found-after-unanswered-create) (\\S+): event (\\S+),");
    /** IntegrationsReload's line once a changed file is in force. */
    private static final String RELOADED = "integrations file reloaded";

    private final Path work;
    private final StandaloneBroker broker;
    private long brokerHeapBefore;
    private final FakeMicrosoft fake;
    private final BenchDefender defender;
    private final BiConsumer<String, String> result;
    private final int n;
    private final int perSecond = Integer.getInteger("bench.tenants.rate", 50);
    private final int isolationEvents = Integer.getInteger("bench.tenants.isolation-events", 1500);
    private final int backlog = Integer.getInteger("bench.tenants.backlog", 1000);
    private final Duration readyLimit = Duration.ofSeconds(Integer.getInteger("bench.tenants.ready-limit-s", 120));
    private final String heap = System.getProperty("bench.tenants.heap", "-Xmx1g");
    /** The steps to run (bench.tenants.steps, say "12" while working on step 2); all by default. Step 1 always runs: the others need its bridge. */
    private final String steps = System.getProperty("bench.tenants.steps", "12345");
    private final List<String> tenantIds = new ArrayList<>();
    private final Random random = new Random(16);
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> schemas = new ArrayList<>();
    private long normalLatency = -1;

    Tenants(Path work, StandaloneBroker broker, FakeMicrosoft fake, BenchDefender defender, BiConsumer<String, String> result) {
        this.work = work;
        this.broker = broker;
        this.fake = fake;
        this.defender = defender;
        this.result = result;
        String env = System.getenv("BENCH_TENANTS");
        this.n = Integer.getInteger("bench.tenants", env == null || env.isBlank() ? 5000 : Integer.parseInt(env.trim()));
        for (int i = 0; i <= n; i++) {
            tenantIds.add(UUID.randomUUID().toString());
        }
    }

    void run() throws Exception {
        report("machine load average (1, 5, 15 min) at the start", loadAverage());
        brokerHeapBefore = Benchmark.liveHeapKiB(broker.pid());
        defender.reset();
        defender.recordCreates(true);
        long started = System.currentTimeMillis();
        try {
            singleInstance();
            if (steps.contains("5")) {
                threeInstances();
            }
        } finally {
            defender.recordCreates(false);
            defender.down.clear();
            dropSchemas();
            report("machine load average (1, 5, 15 min) at the end", loadAverage());
            System.out.printf("tenants: N=%d done in %d s%n", n, (System.currentTimeMillis() - started) / 1000);
        }
    }

    private void report(String figure, String value) {
        result.accept(figure + " (N=" + n + ")", value);
    }

    // --- steps 1 to 4: one instance ---------------------------------------------------------

    private void singleInstance() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tenants-one"));
        List<String> names = names("t", n);
        Path file = dir.resolve("integrations.yaml");
        writeIntegrations(file, names, names.size());
        BridgeProcess bridge = new BridgeProcess(settings(file, dir.resolve("data")), BridgeHarness.freePort(), dir.resolve("bridge.log"),
                heap + " " + System.getProperty("bench.bridge.jvm", ""));
        try {
            long readyAfter = startAndAwaitReady(bridge);
            report("1 start: process start to ready (goal ≤ 60 s)", readyAfter >= 0 ? seconds(readyAfter)
                    : (bridge.alive() ? "never within " + readyLimit.toSeconds() + " s (measured on regardless)" : "the bridge exited")
                    + outOfMemory(dir.resolve("bridge.log")));
            if (!bridge.alive()) {
                return;
            }
            idle(bridge, readyAfter < 0 ? " (not ready)" : "");
            if (!steps.contains("2")) {
                return;
            }
            List<String> delivered = everyIntegration(bridge, names);
            brokerHeap();
            if (steps.contains("3")) {
                isolation(delivered);
            }
            if (bridge.alive() && steps.contains("4")) {
                reload(bridge, dir, file, names);
            }
        } finally {
            stop(bridge);
            defender.down.clear();
        }
    }

    /** After 30 s idle: threads and RSS; CPU over the next 30 s; then heap (jcmd attaches, and costs CPU). */
    private void idle(BridgeProcess bridge, String note) throws Exception {
        if (!bridge.alive()) {
            report("1 idle", "the bridge exited: see " + work.resolve("tenants-one/bridge.log"));
            return;
        }
        Thread.sleep(30_000);
        long threads = procStatus(bridge.pid(), "Threads:");
        long rss = procStatus(bridge.pid(), "VmRSS:");
        Duration cpuFrom = bridge.cpu();
        long from = System.nanoTime();
        Thread.sleep(30_000);
        double cpu = 100.0 * bridge.cpu().minus(cpuFrom).toNanos() / (System.nanoTime() - from);
        long heapUsed = Benchmark.heapUsedKiB(bridge.pid());
        long heapLive = Benchmark.liveHeapKiB(bridge.pid());
        report("1 threads after 30 s idle (goal ≤ 300)", threads + note);
        report("1 RSS after 30 s idle", rss / 1024 + " MiB" + note);
        report("1 heap used after 60 s idle, as found / after a full GC (goal ≤ 1 GiB)", heapUsed / 1024 + " MiB / " + heapLive / 1024 + " MiB" + note);
        report("1 CPU while idle, 30 s (goal ≤ 5 % of a core)", String.format("%.1f %% of a core", cpu) + note);
    }

    /**
     * The standalone broker's heap after a full GC, before the tenants scenario and once each of its N
     * integrations has its delivery queue (after step 2): what thousands of integrations cost the broker.
     */
    private void brokerHeap() throws Exception {
        long after = Benchmark.liveHeapKiB(broker.pid());
        report("1 broker heap after a full GC: before the scenario / with a delivery queue for each integration",
                String.format("%d MiB / %d MiB (%.1f KiB an integration)", brokerHeapBefore / 1024, after / 1024,
                        (after - brokerHeapBefore) / (double) n));
    }

    /** One event to each integration at the set rate; returns the integrations that delivered it. */
    private List<String> everyIntegration(BridgeProcess bridge, List<String> names) throws Exception {
        List<String> order = new ArrayList<>(names);
        Collections.shuffle(order, random);
        Map<String, Long> sent = paced("s2", order, perSecond);
        long lastSent = Collections.max(sent.values());
        long allAt = awaitDelivered(sent.keySet(), lastSent + 60_000);
        Map<String, Long> latencies = latencies(sent);
        List<Long> values = new ArrayList<>(latencies.values());
        normalLatency = Benchmark.percentile(values, 50);
        report("2 every integration delivers: delivered (goal all)", latencies.size() + " of " + sent.size()
                + (allAt < 0 ? ", the rest never within 60 s of the last send" : ", the last " + seconds(allAt - lastSent) + " after the last send"));
        report("2 enqueue-to-Defender p50 / p99 / max at " + perSecond + "/s, each integration's first event (goal p99 < 2 s)",
                latencyLine(values));
        report("2 p50 / p99 / max by 20 s of sending (where the tail comes from)", byWindow(sent, latencies, 20_000));
        List<String> delivered = new ArrayList<>();
        for (String id : latencies.keySet()) {
            delivered.add(integrationOf(id));
        }
        Collections.sort(delivered);
        if (!bridge.alive()) {
            report("2 the bridge", "exited during step 2");
        }
        return delivered;
    }

    /**
     * The others' p99 at the same rate, first with every tenant healthy (all of them past their
     * first event: tokens and anchors known), then while one tenant's Defender answers 503 to every
     * alert call and 1,000 events wait for it. Only integrations that delivered in step 2 take part.
     */
    private void isolation(List<String> delivered) throws Exception {
        if (delivered.size() < 2) {
            report("3 isolation", "not measured: fewer than 2 integrations delivered in step 2");
            return;
        }
        String down = delivered.get(0);
        List<String> others = delivered.subList(1, delivered.size());
        Map<String, Long> before = paced("s3a", sample(others, isolationEvents), perSecond);
        awaitDelivered(before.keySet(), Collections.max(before.values()) + 30_000);
        List<Long> healthy = new ArrayList<>(latencies(before).values());

        defender.down.add("/" + down);
        burst("s3-backlog", Collections.nCopies(backlog, down));
        // the backlog is the bridge's before the measurement starts: one event for a healthy
        // integration, sent behind it, has gone through (else the others' events would queue behind
        // the backlog's own ingest, which is not what this step measures)
        Map<String, Long> marker = burst("s3-marker", List.of(others.get(0)));
        long markerAt = awaitDelivered(marker.keySet(), Collections.max(marker.values()) + 60_000);
        report("3 backlog of " + backlog + " for " + down + " (its Defender answering 503) taken in: an event sent behind it delivered after",
                markerAt < 0 ? "never within 60 s" : seconds(markerAt - Collections.max(marker.values())));
        Map<String, Long> during = paced("s3b", sample(others, isolationEvents), perSecond);
        awaitDelivered(during.keySet(), Collections.max(during.values()) + 30_000);
        List<Long> outage = new ArrayList<>(latencies(during).values());

        long p99Healthy = Benchmark.percentile(healthy, 99);
        long p99Outage = Benchmark.percentile(outage, 99);
        report("3 others' p50 / p99 / max, all healthy (" + isolationEvents + " events at " + perSecond + "/s)",
                latencyLine(healthy) + " (" + healthy.size() + " of " + before.size() + " delivered)");
        report("3 others' p50 / p99 / max, " + down + " answering 503 with a backlog of " + backlog,
                latencyLine(outage) + " (" + outage.size() + " of " + during.size() + " delivered)");
        long p99Step2 = Benchmark.percentile(new ArrayList<>(step2Latencies.values()), 99);
        report("3 others' p99 change during the outage (goal < 20 %): against the healthy run just before / against step 2",
                change(p99Outage, p99Healthy, outage.isEmpty() || healthy.isEmpty()) + " / " + change(p99Outage, p99Step2, outage.isEmpty() || p99Step2 < 0));
    }

    /**
     * One integration added to the file (written aside, then moved over it, as docs/deployment.md
     * says). Probes, one event every 100 ms for the new account from the write on, show when the bridge
     * takes events for it (until then they are refused as invalid: an unknown account) and when the
     * first alert reaches the fake; the reload's log line shows when the bridge applied the file.
     */
    private void reload(BridgeProcess bridge, Path dir, Path file, List<String> names) throws Exception {
        String added = String.format("t%05d", n + 1);
        List<String> all = new ArrayList<>(names);
        all.add(added);
        Path log = dir.resolve("bridge.log");
        long logFrom = Files.size(log);
        Path edited = dir.resolve("integrations.yaml.new");
        writeIntegrations(edited, all, all.size());
        long writtenAt = System.currentTimeMillis();
        Files.move(edited, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Map<String, Long> probes = new LinkedHashMap<>();
        long reloadedAt = -1;
        long firstCreateAt = -1;
        long limit = writtenAt + 60_000;
        try (Sender sender = new Sender(false)) {
            int seq = 0;
            while (System.currentTimeMillis() < limit && firstCreateAt < 0) {
                String id = eventId("s4", added, seq++);
                probes.put(id, sender.send(id, added));
                if (reloadedAt < 0 && logged(log, logFrom, RELOADED)) {
                    reloadedAt = System.currentTimeMillis();
                }
                for (String probe : probes.keySet()) {
                    Long at = defender.createdAt.get(probe);
                    if (at != null && (firstCreateAt < 0 || at < firstCreateAt)) {
                        firstCreateAt = at;
                    }
                }
                Thread.sleep(100);
            }
        }
        // probes sent before the first one that reached the fake may still be on their way
        Thread.sleep(3000);
        if (reloadedAt < 0 && logged(log, logFrom, RELOADED)) {
            reloadedAt = System.currentTimeMillis();
        }
        long firstTaken = probes.entrySet().stream().filter(p -> defender.createdAt.containsKey(p.getKey()))
                .mapToLong(Map.Entry::getValue).min().orElse(-1);
        report("4 reload: the bridge logs '" + RELOADED + "' after the file's write",
                reloadedAt < 0 ? "never within 60 s" : "within " + millis(reloadedAt - writtenAt) + " (seen by polling the log every 100 ms)");
        report("4 reload: the first probe the bridge took for the new integration was sent after the write",
                firstTaken < 0 ? "none within 60 s" : millis(firstTaken - writtenAt));
        report("4 reload: the first alert for it reached the fake after the write / minus step 2's p50 ("
                        + (normalLatency < 0 ? "none" : normalLatency + " ms") + ") (goal ≤ 1 s)",
                firstCreateAt < 0 ? "never within 60 s" : millis(firstCreateAt - writtenAt) + " / "
                        + (normalLatency < 0 ? "-" : millis(firstCreateAt - writtenAt - normalLatency)));
        if (!bridge.alive()) {
            report("4 the bridge", "exited during step 4");
        }
    }

    // --- step 5: three instances --------------------------------------------------------------

    private void threeInstances() throws Exception {
        Path dir = Files.createDirectories(work.resolve("tenants-three"));
        List<String> names = names("m", n);
        Path file = dir.resolve("integrations.yaml");
        writeIntegrations(file, names, names.size());
        Map<String, String> settings = settings(file, null);
        List<BridgeProcess> bridges = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            long start = System.nanoTime();
            for (int i = 1; i <= 3; i++) {
                Map<String, String> own = new HashMap<>(settings);
                own.put("bridge.data-dir", dir.resolve("data-" + i).toString());
                Path log = dir.resolve("bridge-" + i + ".log");
                BridgeProcess bridge = new BridgeProcess(own, BridgeHarness.freePort(), log, heap + " " + System.getProperty("bench.bridge.jvm", ""));
                bridge.start();
                bridges.add(bridge);
                logs.add(log);
            }
            List<String> ready = new ArrayList<>();
            for (BridgeProcess bridge : bridges) {
                long at = awaitReady(bridge, start);
                ready.add(at >= 0 ? seconds(at) : (bridge.alive() ? "never within " + readyLimit.toSeconds() + " s" : "exited")
                        + outOfMemory(logs.get(ready.size())));
            }
            report("5 three instances started together: ready after", String.join(" / ", ready));

            List<String> order = new ArrayList<>(names);
            Collections.shuffle(order, random);
            Map<String, Long> sent = burst("s5", order);
            long lastSent = Collections.max(sent.values());
            long allAt = awaitDelivered(sent.keySet(), lastSent + 90_000);
            Map<String, Long> latencies = latencies(sent);
            report("5 one event to each integration, sent at once: delivered", latencies.size() + " of " + sent.size()
                    + (allAt < 0 ? ", the rest never within 90 s of the last send" : ", the last " + seconds(allAt - lastSent) + " after the last send"));
            if (allAt < 0) {
                // the kill below measures the take-over, not the rest of this burst: the instances finish it first
                long restAt = awaitDelivered(sent.keySet(), lastSent + 240_000);
                report("5 the rest of that burst delivered", restAt < 0 ? "not within 240 s of the last send (the kill comes regardless)"
                        : "the last " + seconds(restAt - lastSent) + " after the last send");
                latencies = latencies(sent);
            }
            // an instance logs its line just after the create reached the fake: wait for the lines too
            List<Set<String>> shares = shares(bridges, logs, "s5-");
            long logsBy = System.currentTimeMillis() + 15_000;
            while (shares.stream().mapToInt(Set::size).sum() < latencies.size() && System.currentTimeMillis() < logsBy) {
                Thread.sleep(200);
                shares = shares(bridges, logs, "s5-");
            }
            List<String> shareText = new ArrayList<>();
            for (Set<String> share : shares) {
                shareText.add(share.size() + String.format(" (%.0f %%)", 100.0 * share.size() / n));
            }
            report("5 integrations each instance delivered for (goal about a third each)", String.join(" / ", shareText));

            int victim = 0;
            for (int i = 1; i < shares.size(); i++) {
                if (shares.get(i).size() > shares.get(victim).size()) {
                    victim = i;
                }
            }
            List<String> orphans = new ArrayList<>(shares.get(victim));
            Collections.sort(orphans);
            if (orphans.isEmpty()) {
                report("5 kill -9", "not measured: no instance delivered anything");
                return;
            }
            long killedAt = System.currentTimeMillis();
            bridges.get(victim).sigkill();
            Map<String, Long> again = burst("s5k", orphans);
            long doneAt = awaitDelivered(again.keySet(), killedAt + 90_000);
            Map<String, Long> afterKill = new HashMap<>();
            for (String id : again.keySet()) {
                Long at = defender.createdAt.get(id);
                if (at != null) {
                    afterKill.put(id, at - killedAt);
                }
            }
            List<Long> fromKill = new ArrayList<>(afterKill.values());
            report("5 instance " + (victim + 1) + " killed (-9); one more event to each of its " + orphans.size()
                    + " integrations, sent at once: delivered by the others (goal all within 30 s)",
                    afterKill.size() + " of " + orphans.size() + (doneAt < 0 ? ", the rest never within 90 s of the kill"
                            : ", the last " + seconds(doneAt - killedAt) + " after the kill"));
            report("5 time from the kill to each of them delivered: first / p50 / p99 / max", fromKill.isEmpty() ? "none delivered"
                    : Collections.min(fromKill) + " / " + latencyLine(fromKill));
        } finally {
            for (BridgeProcess bridge : bridges) {
                stop(bridge);
            }
        }
    }

    /**
     * For each instance, the integrations it logged a delivery for, of the events whose id starts so;
     * from its metrics (threatbridge_delivered_total) when no instance logged a single one.
     */
    private List<Set<String>> shares(List<BridgeProcess> bridges, List<Path> logs, String prefix) throws Exception {
        List<Set<String>> shares = new ArrayList<>();
        int total = 0;
        for (Path log : logs) {
            Set<String> share = new HashSet<>();
            for (String line : Files.readAllLines(log, StandardCharsets.ISO_8859_1)) {
                Matcher created = DELIVERED.matcher(line);
                if (created.find() && created.group(2).startsWith(prefix)) {
                    share.add(created.group(1));
                }
            }
            shares.add(share);
            total += share.size();
        }
        if (total > 0) {
            return shares;
        }
        System.out.println("tenants: no instance logged a created line; shares from threatbridge_delivered_total");
        shares.clear();
        Pattern metric = Pattern.compile("^threatbridge_delivered_total\\{.*integration=\"([^\"]+)\".*} ([0-9.Ee+]+)$");
        for (BridgeProcess bridge : bridges) {
            Set<String> share = new HashSet<>();
            for (String line : metrics(bridge).lines().toList()) {
                Matcher delivered = metric.matcher(line);
                if (delivered.find() && Double.parseDouble(delivered.group(2)) > 0) {
                    share.add(delivered.group(1));
                }
            }
            shares.add(share);
        }
        return shares;
    }

    // --- sending and waiting ------------------------------------------------------------------

    /** A JMS producer on the inbound queue; each event's send time goes into its id. */
    private final class Sender implements AutoCloseable {
        private final ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
        private final Connection connection;
        private final Session session;
        private final MessageProducer producer;
        private final boolean transacted;
        private int uncommitted;

        Sender(boolean transacted) throws Exception {
            this.transacted = transacted;
            connection = factory.createConnection(StandaloneBroker.USER, StandaloneBroker.PASSWORD);
            session = connection.createSession(transacted, transacted ? Session.SESSION_TRANSACTED : Session.AUTO_ACKNOWLEDGE);
            producer = session.createProducer(session.createQueue("threats.inbound"));
        }

        /** Sends the event with this id (which ends in its send time) for the integration's account; returns the send time. */
        long send(String id, String integration) throws Exception {
            producer.send(session.createTextMessage(Events.event(id, "acct-" + integration, "thr-" + id, "CRITICAL", "ACTIVE").toString()));
            if (transacted && ++uncommitted == 500) {
                commit();
            }
            return sentAt(id);
        }

        void commit() throws Exception {
            if (transacted) {
                session.commit();
                uncommitted = 0;
            }
        }

        @Override
        public void close() throws Exception {
            commit();
            connection.close();
            factory.close();
        }
    }

    /** One event for each integration listed, at a fixed rate; returns each event id with its send time. */
    private Map<String, Long> paced(String step, List<String> targets, int rate) throws Exception {
        Map<String, Long> sent = new LinkedHashMap<>();
        try (Sender sender = new Sender(false)) {
            long start = System.nanoTime();
            long interval = 1_000_000_000L / rate;
            for (int i = 0; i < targets.size(); i++) {
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String id = eventId(step, targets.get(i), i);
                sent.put(id, sender.send(id, targets.get(i)));
            }
        }
        System.out.printf("tenants: %s sent %d events at %d/s%n", step, sent.size(), rate);
        return sent;
    }

    /** One event for each integration listed, as fast as the broker takes them (transactions of 500). */
    private Map<String, Long> burst(String step, List<String> targets) throws Exception {
        Map<String, Long> sent = new LinkedHashMap<>();
        try (Sender sender = new Sender(true)) {
            for (int i = 0; i < targets.size(); i++) {
                String id = eventId(step, targets.get(i), i);
                sent.put(id, sender.send(id, targets.get(i)));
            }
        }
        System.out.printf("tenants: %s sent %d events at once%n", step, sent.size());
        return sent;
    }

    private static String eventId(String step, String integration, int seq) {
        return step + "-" + integration + "-" + seq + "-at-" + System.currentTimeMillis();
    }

    private static long sentAt(String id) {
        return Long.parseLong(id.substring(id.lastIndexOf("-at-") + 4));
    }

    private static String integrationOf(String id) {
        return id.split("-")[1];
    }

    /** Waits until the fake has a create for each of these events; when the last came, or -1 at the deadline. */
    private long awaitDelivered(Collection<String> ids, long deadline) throws InterruptedException {
        List<String> waiting = new ArrayList<>(ids);
        long progressAt = System.currentTimeMillis();
        while (true) {
            int before = waiting.size();
            waiting.removeIf(defender.createdAt::containsKey);
            if (waiting.isEmpty()) {
                return ids.stream().mapToLong(defender.createdAt::get).max().orElse(System.currentTimeMillis());
            }
            long now = System.currentTimeMillis();
            if (waiting.size() < before) {
                progressAt = now;
            }
            if (now > deadline) {
                System.out.printf("tenants: %d of %d events not delivered; the last progress %d s ago%n",
                        waiting.size(), ids.size(), (now - progressAt) / 1000);
                return -1;
            }
            Thread.sleep(100);
        }
    }

    /** Step 2's enqueue-to-Defender latency of each delivered event, by event id. */
    private final Map<String, Long> step2Latencies = new LinkedHashMap<>();

    private Map<String, Long> latencies(Map<String, Long> sent) {
        Map<String, Long> result = new LinkedHashMap<>();
        sent.forEach((id, at) -> {
            Long created = defender.createdAt.get(id);
            if (created != null) {
                result.put(id, created - at);
            }
        });
        if (sent.keySet().stream().anyMatch(id -> id.startsWith("s2-"))) {
            step2Latencies.putAll(result);
        }
        return result;
    }

    private List<String> sample(List<String> from, int count) {
        List<String> picked = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            picked.add(from.get(random.nextInt(from.size())));
        }
        return picked;
    }

    // --- the bridge ---------------------------------------------------------------------------

    /** Live against the fake, the standalone broker, a fresh PostgreSQL schema, default pacing. */
    private Map<String, String> settings(Path integrations, Path dataDir) throws Exception {
        String schema = TestStores.freshPostgresSchema();
        schemas.add(schema);
        Map<String, String> settings = new HashMap<>(BridgeProcess.settings(fake, broker.url(), schema, integrations));
        if (dataDir != null) {
            settings.put("bridge.data-dir", dataDir.toString());
        }
        return settings;
    }

    private long startAndAwaitReady(BridgeProcess bridge) throws IOException, InterruptedException {
        long start = System.nanoTime();
        bridge.start();
        return awaitReady(bridge, start);
    }

    /** Milliseconds from {@code start} until readiness answers 200, or -1 past the limit or when the process ended. */
    private long awaitReady(BridgeProcess bridge, long start) throws InterruptedException {
        while (System.nanoTime() - start < readyLimit.toNanos()) {
            if (bridge.health() == 200) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            if (!bridge.alive()) {
                return -1;
            }
            Thread.sleep(250);
        }
        return -1;
    }

    private static void stop(BridgeProcess bridge) throws InterruptedException {
        if (!bridge.alive()) {
            return;
        }
        try {
            bridge.sigterm();
        } catch (IllegalStateException late) {
            System.out.println("tenants: " + late.getMessage() + "; killed");
            bridge.sigkill();
        }
    }

    private static String metrics(BridgeProcess bridge) {
        try {
            return bridge.metrics();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    // --- files, /proc, formatting -------------------------------------------------------------

    private static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            names.add(String.format("%s%05d", prefix, i));
        }
        return names;
    }

    /** The integrations file: each name its own tenant (the same UUID for t00001 and m00001), account acct-<name>, apiUrl the fake's /<name>. */
    private void writeIntegrations(Path file, List<String> names, int count) throws IOException {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (int i = 0; i < count; i++) {
            String name = names.get(i);
            int number = Integer.parseInt(name.substring(1));
            yaml.append(FakeMicrosoft.integration(name, tenantIds.get(number - 1), "acct-" + name, fake.baseUrl() + "/" + name));
        }
        Files.writeString(file, yaml);
    }

    /** " (OutOfMemoryError in its log)" when the bridge's log holds one, else "". */
    private static String outOfMemory(Path log) throws IOException {
        return logged(log, 0, "OutOfMemoryError") ? " (OutOfMemoryError in its log)" : "";
    }

    /** Whether the log holds this text after the offset. */
    private static boolean logged(Path log, long from, String text) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            if (file.length() <= from) {
                return false;
            }
            file.seek(from);
            byte[] tail = new byte[(int) Math.min(Integer.MAX_VALUE - 8, file.length() - from)];
            file.readFully(tail);
            return new String(tail, StandardCharsets.ISO_8859_1).contains(text);
        }
    }

    private static long procStatus(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private void dropSchemas() {
        for (String schema : schemas) {
            try (var connection = DriverManager.getConnection(TestStores.POSTGRES, TestStores.POSTGRES_USER, null);
                 var statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (Exception e) {
                System.out.println("tenants: schema " + schema + " not dropped: " + e.getMessage());
            }
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2] + " on " + Runtime.getRuntime().availableProcessors() + " cores";
        } catch (IOException notLinux) {
            return "unknown";
        }
    }

    /** Latency of the events sent in each window of {@code windowMillis} from the first send, window by window. */
    private static String byWindow(Map<String, Long> sent, Map<String, Long> latencies, long windowMillis) {
        long first = Collections.min(sent.values());
        Map<Long, List<Long>> windows = new java.util.TreeMap<>();
        latencies.forEach((id, latency) -> windows.computeIfAbsent((sent.get(id) - first) / windowMillis, w -> new ArrayList<>()).add(latency));
        StringBuilder line = new StringBuilder();
        windows.forEach((window, values) -> line.append(line.length() == 0 ? "" : "; ")
                .append(window * windowMillis / 1000).append(" s: ").append(latencyLine(values)));
        return line.toString();
    }

    private static String latencyLine(List<Long> values) {
        if (values.isEmpty()) {
            return "none delivered";
        }
        return Benchmark.percentile(values, 50) + " / " + Benchmark.percentile(values, 99) + " / " + Benchmark.percentile(values, 100) + " ms";
    }

    private static String change(long now, long before, boolean unknown) {
        return unknown ? "not measured" : String.format("%+.0f %%", 100.0 * (now - before) / Math.max(1, before));
    }

    private static String seconds(long millis) {
        return String.format("%.1f s", millis / 1000.0);
    }

    private static String millis(long millis) {
        return millis + " ms";
    }
}
