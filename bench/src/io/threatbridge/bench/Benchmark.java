package io.threatbridge.bench;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.chaos.BridgeProcess;
import io.threatbridge.chaos.StandaloneBroker;
import io.threatbridge.sentinel.FakeLogsIngestion;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.IntFunction;

/**
 * The figures of docs/benchmarks.md: throughput and CPU beside a minimal forwarder, quota use,
 * latency, tenant isolation, memory with a large backlog, and thousands of integrations (tenants). The bridge and the baseline run as
 * processes of their own against one standalone Artemis broker and a WireMock Defender over HTTPS
 * in this JVM. Run with bench/run; scenario names as arguments run only those.
 */
public final class Benchmark {

    private final Path work;
    private final BenchDefender defender = new BenchDefender();
    private final FakeMicrosoft fake;
    private final StandaloneBroker broker;
    private final List<String> results = new ArrayList<>();

    private Benchmark(Path work) throws Exception {
        this.work = work;
        fake = new FakeMicrosoft(false, defender);
        broker = new StandaloneBroker(work.resolve("broker"), BridgeHarness.freePort());
        broker.start();
    }

    public static void main(String[] args) throws Exception {
        Path work = Files.createTempDirectory("threat-bridge-bench");
        List<String> run = args.length == 0 ? List.of("throughput", "quota", "hourly", "latency", "isolation", "memory", "formats", "sentinel", "tenants") : List.of(args);
        Benchmark bench = new Benchmark(work);
        try {
            for (String scenario : run) {
                switch (scenario) {
                    case "throughput" -> bench.throughput();
                    case "quota" -> bench.quota();
                    case "hourly" -> bench.hourlyUpdates();
                    case "latency" -> bench.latency();
                    case "isolation" -> bench.isolation();
                    case "memory" -> bench.memory();
                    case "formats" -> bench.formats();
                    case "sentinel" -> bench.sentinel();
                    case "retention" -> new StoreGrowth(work, bench::result).run();
                    case "pacing" -> new PacingCost(work, bench::result).run();
                    case "h2file" -> new H2FileGrowth(work, bench::result).run();
                    case "queues" -> new BrokerQueues(work, bench::result).run();
                    case "tenants" -> bench.tenants();
                    default -> {
                        if (!scenario.startsWith("tenants=")) {
                            throw new IllegalArgumentException("no scenario " + scenario);
                        }
                        System.setProperty("bench.tenants", scenario.substring("tenants=".length()));
                        bench.tenants();
                    }
                }
            }
        } finally {
            bench.broker.close();
            bench.fake.close();
        }
        String report = "| scenario | figure | value |\n| --- | --- | --- |\n" + String.join("\n", bench.results) + "\n";
        System.out.println(report);
        Files.writeString(Path.of("target", "bench-results.md"), report);
        System.exit(0);
    }

    private void result(String scenario, String figure, String value) {
        String line = "| " + scenario + " | " + figure + " | " + value + " |";
        results.add(line);
        System.out.println(line);
    }

    // --- the scenarios ---------------------------------------------------------------------

    /**
     * 20,000 events preloaded, quotas lifted: alerts/s and CPU per 1,000 alerts, bridge and baseline.
     * Both drain bench.throughput.warmup events (60,000) first, from the same preload: a long-running
     * service is measured after its JIT has compiled the hot path, which on two shared cores takes
     * tens of thousands of alerts. The whole drain, warm-up included, is reported too, and so is the
     * share of the measured CPU the JIT compiler threads still used.
     */
    private void throughput() throws Exception {
        int events = Integer.getInteger("bench.throughput.events", 20_000);
        int warmup = Integer.getInteger("bench.throughput.warmup", 60_000);
        boolean baselines = Boolean.parseBoolean(System.getProperty("bench.throughput.baselines", "true"));
        List<String> names = List.of("tp0", "tp1", "tp2", "tp3");
        // the forwarder runs before and after the bridge, and the bridge is set beside their mean:
        // its CPU per alert varies by 10-20 % from run to run on this machine, and drifts with the hour
        Drain before = baselines ? minimalForwarder(warmup, events) : null;

        preload("threats.inbound", warmup + events, i -> event("tp-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        defender.reset();
        BridgeProcess bridge = bridge("throughput", names, Map.of(), "-Xmx512m");
        Drain measured = measureDrain(bridge::cpu, bridge.pid(), warmup, events);
        bridge.sigterm();
        result("throughput", "bridge alerts/s (4 tenants, persistent, H2 store)", String.format("%.0f", measured.warm.rate(events)));
        result("throughput", "bridge CPU s per 1,000 alerts", String.format("%.2f", measured.warm.cpuPerThousand(events)));
        result("throughput", "of which JIT compiler threads", String.format("%.0f %%", measured.jitShare()));
        if (!baselines) {
            return;
        }

        Drain after = minimalForwarder(warmup, events);
        double forwarderCpu = (before.warm.cpuPerThousand(events) + after.warm.cpuPerThousand(events)) / 2;
        result("throughput", "minimal forwarder alerts/s (4 threads, same broker and fake), before / after the bridge",
                String.format("%.0f / %.0f", before.warm.rate(events), after.warm.rate(events)));
        result("throughput", "minimal forwarder CPU s per 1,000 alerts, before / after the bridge",
                String.format("%.2f / %.2f", before.warm.cpuPerThousand(events), after.warm.cpuPerThousand(events)));
        result("throughput", "of which JIT compiler threads (forwarder, before / after)",
                String.format("%.0f %% / %.0f %%", before.jitShare(), after.jitShare()));
        result("throughput", "bridge CPU per alert / the forwarder's (mean of its two runs)", String.format("%.2fx",
                measured.warm.cpuPerThousand(events) / forwarderCpu));

        preload("bench.twohop", warmup + events, i -> event("hop-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        Drain twoHop = forwarder("bench.twohop", String.join(",", names.stream().map(name -> "acct-" + name).toList()), warmup, events);
        result("throughput", "two-hop forwarder alerts/s (a queue per tenant, as the bridge)", String.format("%.0f", twoHop.warm.rate(events)));
        result("throughput", "two-hop forwarder CPU s per 1,000 alerts", String.format("%.2f", twoHop.warm.cpuPerThousand(events)));
        result("throughput", "bridge CPU per alert / two-hop forwarder's", String.format("%.2fx",
                measured.warm.cpuPerThousand(events) / twoHop.warm.cpuPerThousand(events)));

        int all = warmup + events;
        double forwarderWholeCpu = (before.whole.cpuPerThousand(all) + after.whole.cpuPerThousand(all)) / 2;
        result("throughput", "whole drain from a cold start (" + all + " alerts): bridge / forwarder (mean) alerts/s",
                String.format("%.0f / %.0f", measured.whole.rate(all), (before.whole.rate(all) + after.whole.rate(all)) / 2));
        result("throughput", "whole drain from a cold start: bridge / forwarder (mean) CPU s per 1,000 alerts",
                String.format("%.2f / %.2f (%.2fx)", measured.whole.cpuPerThousand(all), forwarderWholeCpu,
                        measured.whole.cpuPerThousand(all) / forwarderWholeCpu));
    }

    /** The one-hop minimal forwarder, on its own freshly preloaded queue. */
    private Drain minimalForwarder(int warmup, int events) throws Exception {
        preload("bench.baseline", warmup + events, i -> event("base-" + i, "acct-x", "CRITICAL", false));
        return forwarder("bench.baseline", null, warmup, events);
    }

    /** Runs MinimalForwarder on a preloaded queue (in two hops when accounts are given) and measures its drain. */
    private Drain forwarder(String queue, String accounts, int warmup, int events) throws Exception {
        defender.reset();
        List<String> command = new ArrayList<>(List.of(java(), "-Xmx512m",
                "-Djavax.net.ssl.trustStore=" + System.getProperty("javax.net.ssl.trustStore"),
                "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("java.class.path"), MinimalForwarder.class.getName(),
                broker.url(), StandaloneBroker.USER, StandaloneBroker.PASSWORD, queue,
                fake.baseUrl() + "/base/api/alerts/CreateAlertByReference", "4"));
        if (accounts != null) {
            command.add(accounts);
        }
        Process forwarder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve(queue + ".log").toFile()).start();
        try {
            return measureDrain(() -> forwarder.toHandle().info().totalCpuDuration().orElse(Duration.ZERO),
                    forwarder.pid(), warmup, events);
        } finally {
            forwarder.destroyForcibly();
            forwarder.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** 20 tenants at 120 creates a minute (30 per 15 s window) under load above it: share of the quota used, 429s. */
    private void quota() throws Exception {
        int tenants = 20;
        int perWindow = 30;
        long window = 15_000;
        List<String> names = new ArrayList<>();
        for (int t = 0; t < tenants; t++) {
            names.add("q" + t);
        }
        int events = tenants * perWindow * 6;
        preload("threats.inbound", events, i -> event("q-" + i, "acct-" + names.get(i % tenants), "CRITICAL", false));
        defender.reset();
        defender.enforceQuota(perWindow, window);
        BridgeProcess bridge = bridge("quota", names, Map.of(
                "bridge.defender.create-per-minute", String.valueOf(perWindow),
                "bridge.defender.quota-window-ms", String.valueOf(window)), "-Xmx384m");
        await(Duration.ofMinutes(3), () -> defender.firstCreateAt > 0);
        long measureUntil = defender.firstCreateAt + 4 * window;
        await(Duration.ofMinutes(3), () -> System.currentTimeMillis() >= measureUntil);
        long achieved = defender.totalCreates();
        long allowed = (long) tenants * perWindow * 4;
        bridge.sigterm();
        defender.enforceQuota(0, window);
        result("quota", "creates in 60 s, 20 tenants, quota 120/min each (window 15 s)", achieved + " of " + allowed);
        result("quota", "share of the summed quota used", String.format("%.1f %%", 100.0 * achieved / allowed));
        result("quota", "429 answers", String.valueOf(defender.throttled.get()));
    }

    /**
     * Defender's update quota, 100 a minute and 1,500 an hour, with the minute shortened to 1 s (so
     * the hour to 60 s): 3,000 threats alerted first, then their 3,000 resolves at once. The bridge
     * may make 1,500 updates in any 60 s; measured over the 120 s from the first: updates made (of
     * 3,000 allowed), the most in any 60 s, and 429s.
     */
    private void hourlyUpdates() throws Exception {
        int threats = 3000;
        long window = 1000;
        List<String> names = List.of("h0");
        preload("threats.inbound", threats, i -> event("h-" + i, "acct-h0", "CRITICAL", false));
        defender.reset();
        BridgeProcess bridge = bridge("hourly", names, Map.of(
                "bridge.defender.update-per-minute", "100",
                "bridge.defender.update-per-hour", "1500",
                "bridge.defender.quota-window-ms", String.valueOf(window)), "-Xmx384m");
        await(Duration.ofMinutes(5), () -> defender.totalCreates() >= threats);
        defender.enforceUpdateQuota(100, 1500, window);
        preload("threats.inbound", threats, i -> Events.event("h-r-" + i, "acct-h0", "thr-h-" + i, "CRITICAL", "RESOLVED").toString());
        await(Duration.ofMinutes(2), () -> defender.updates.get() > 0);
        long first = defender.updateTimes().get(0);
        await(Duration.ofMinutes(4), () -> System.currentTimeMillis() >= first + 120 * window);
        List<Long> times = defender.updateTimes();
        bridge.sigterm();
        long inTwoHours = times.stream().filter(t -> t < first + 120 * window).count();
        long mostInAnHour = 0;
        for (int i = 0, j = 0; i < times.size(); i++) {
            while (times.get(i) - times.get(j) >= 60 * window) {
                j++;
            }
            mostInAnHour = Math.max(mostInAnHour, i - j + 1);
        }
        result("hourly", "updates in two 'hours' of 60 s (minute 1 s), quota 100/min and 1,500/h", inTwoHours + " of 3000");
        result("hourly", "share of the hourly quota used", String.format("%.1f %%", 100.0 * inTwoHours / 3000));
        result("hourly", "most updates in any 60 s", String.valueOf(mostInAnHour));
        result("hourly", "429 answers", String.valueOf(defender.throttled.get()));
        defender.enforceUpdateQuota(0, 0, window);
    }

    /** 100 events/s below quota for 30 s: enqueue-to-Defender latency. */
    private void latency() throws Exception {
        List<String> names = List.of("lat0", "lat1", "lat2", "lat3");
        defender.reset();
        BridgeProcess bridge = bridge("latency", names, Map.of(), "-Xmx384m");
        warmUp(i -> event("lat-warm-" + i, "acct-" + names.get(i % 4), "CRITICAL", true));
        int sent = steadyLoad(100, Duration.ofSeconds(30), i -> event("lat-" + i, "acct-" + names.get(i % 4), "CRITICAL", true));
        await(Duration.ofMinutes(2), () -> defender.totalCreates() >= sent + warmedUp);
        bridge.sigterm();
        List<Long> all = new ArrayList<>();
        defender.latencies.values().forEach(all::addAll);
        result("latency", "events at 100/s for 30 s", String.valueOf(sent));
        result("latency", "enqueue-to-Defender p50 / p99 / max", percentile(all, 50) + " / " + percentile(all, 99) + " / " + percentile(all, 100) + " ms");
    }

    /** Tenant A down for 60 s while tenant B runs a steady load: B's p99 with and without A's outage. */
    private void isolation() throws Exception {
        List<String> names = List.of("iso-a", "iso-b");
        defender.reset();
        BridgeProcess bridge = bridge("isolation", names, Map.of(), "-Xmx384m");
        IntFunction<String> load = i -> event("iso-" + i, i % 2 == 0 ? "acct-iso-a" : "acct-iso-b", "CRITICAL", true);
        warmUp(i -> load.apply(1_000_000 + i));
        int healthy = steadyLoad(40, Duration.ofSeconds(60), load);
        await(Duration.ofMinutes(2), () -> defender.totalCreates() >= healthy + warmedUp);
        List<Long> before = new ArrayList<>(defender.latencies.getOrDefault("/iso-b", List.of()));
        defender.latencies.clear();
        defender.down.add("/iso-a");
        steadyLoad(40, Duration.ofSeconds(60), i -> load.apply(i + healthy));
        List<Long> during = new ArrayList<>(defender.latencies.getOrDefault("/iso-b", List.of()));
        defender.down.clear();
        bridge.sigterm();
        long p99Before = percentile(before, 99);
        long p99During = percentile(during, 99);
        result("isolation", "tenant B p99, A healthy (20 events/s each)", p99Before + " ms (" + before.size() + " alerts)");
        result("isolation", "tenant B p99, A down 60 s (503)", p99During + " ms (" + during.size() + " alerts)");
        result("isolation", "B's p99 during A's outage / without", String.format("%.2f", (double) p99During / Math.max(1, p99Before)));
    }

    /** 100,000 events preloaded, bridge at -Xmx256m: RSS and heap while the backlog drains. */
    private void memory() throws Exception {
        int events = Integer.getInteger("bench.memory.events", 100_000);
        List<String> names = List.of("mem0", "mem1", "mem2", "mem3");
        preload("threats.inbound", events, i -> event("mem-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        defender.reset();
        BridgeProcess bridge = bridge("memory", names, Map.of(), "-Xmx256m");
        long maxRss = 0;
        long maxHeap = 0;
        long start = System.currentTimeMillis();
        while (defender.totalCreates() < events) {
            maxRss = Math.max(maxRss, rssKiB(bridge.pid()));
            maxHeap = Math.max(maxHeap, heapUsedKiB(bridge.pid()));
            if (System.currentTimeMillis() - start > Duration.ofMinutes(20).toMillis()) {
                throw new IllegalStateException("the 100,000-event backlog did not drain in 20 minutes");
            }
            Thread.sleep(2000);
        }
        bridge.sigterm();
        result("memory", "backlog drained", events + " events in " + (defender.lastCreateAt - defender.firstCreateAt) / 1000 + " s");
        result("memory", "bridge max RSS / max heap used (-Xmx256m)", maxRss / 1024 + " MiB / " + maxHeap / 1024 + " MiB");
    }

    /**
     * Native format against the bridge's own (interface.md 4b), in one bridge process: events in its
     * own format, then as many Zimperium records in arrays of 500 (one message and one transaction
     * each), then its own format again, all preloaded on the inbound queue before the bridge starts
     * (a preload while it runs would pace it). Each part is measured between two create counts, a
     * margin away from the part before, so the blur at a boundary (four ingest consumers) stays
     * out; the Zimperium part is set beside the mean of the two own-format parts around it.
     */
    private void formats() throws Exception {
        int events = Integer.getInteger("bench.formats.events", 10_000);
        int warmup = Integer.getInteger("bench.formats.warmup", 40_000);
        int batch = 500;
        int margin = 2_000;
        List<String> names = List.of("fm0", "fm1", "fm2", "fm3");
        int own = warmup + events;
        int records = ((margin + events + margin) / batch + 1) * batch;
        preload("threats.inbound", own, i -> event("fo-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode record = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(Path.of("samples/zimperium/threat-arp-mitm.json").toFile());
        long bytes = preloadRecords("zimperium", records / batch, i -> {
            com.fasterxml.jackson.databind.node.ArrayNode array = json.createArrayNode();
            for (int r = 0; r < batch; r++) {
                int n = i * batch + r;
                array.add(record.deepCopy().put("threat_uuid", "zim-" + n).put("account_id", "acct-" + names.get(n % 4)));
            }
            return array.toString();
        });
        preload("threats.inbound", margin + events, i -> event("fo2-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        defender.reset();
        BridgeProcess bridge = bridge("formats", names, Map.of(), "-Xmx512m");
        Measured ownBefore = measureBetween(bridge::cpu, warmup, own);
        Measured zimperium = measureBetween(bridge::cpu, own + margin, own + margin + events);
        Measured ownAfter = measureBetween(bridge::cpu, own + records + margin, own + records + margin + events);
        bridge.sigterm();

        double ownCpu = (ownBefore.cpuPerThousand(events) + ownAfter.cpuPerThousand(events)) / 2;
        result("formats", "own format alerts/s, before / after", String.format("%.0f / %.0f", ownBefore.rate(events), ownAfter.rate(events)));
        result("formats", "own format CPU s per 1,000 alerts, before / after",
                String.format("%.2f / %.2f", ownBefore.cpuPerThousand(events), ownAfter.cpuPerThousand(events)));
        result("formats", "Zimperium, arrays of " + batch + " records (" + bytes / (records / batch) / 1024 + " KiB a message): alerts/s",
                String.format("%.0f", zimperium.rate(events)));
        result("formats", "Zimperium CPU s per 1,000 alerts", String.format("%.2f", zimperium.cpuPerThousand(events)));
        result("formats", "Zimperium CPU per alert / own format's (mean of before and after; after alone)",
                String.format("%.2fx; %.2fx", zimperium.cpuPerThousand(events) / ownCpu,
                        zimperium.cpuPerThousand(events) / ownAfter.cpuPerThousand(events)));
    }

    /** Time and the bridge's CPU from the {@code from}th create to the {@code to}th. */
    private Measured measureBetween(java.util.function.Supplier<Duration> cpu, int from, int to) throws InterruptedException {
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(15).toMillis();
        Duration cpuFrom = null;
        long at = 0;
        while (defender.totalCreates() < to) {
            if (cpuFrom == null && defender.totalCreates() >= from) {
                cpuFrom = cpu.get();
                at = System.currentTimeMillis();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + defender.totalCreates() + " of " + to + " alerts in 15 minutes");
            }
            Thread.sleep(20);
        }
        Duration cpuTo = cpu.get();
        if (cpuFrom == null) {
            throw new IllegalStateException("creates went from below " + from + " to " + to + " between two looks; use more events");
        }
        return new Measured(System.currentTimeMillis() - at, cpuTo.minus(cpuFrom));
    }

    /**
     * api: sentinel beside the Defender path, in the same run: the same events (4 integrations,
     * preloaded, quotas lifted), each path warmed up on bench.sentinel.warmup events and measured on
     * bench.sentinel.events more. Rows/s into the strict Logs Ingestion fake, and CPU per row.
     */
    private void sentinel() throws Exception {
        int events = Integer.getInteger("bench.sentinel.events", 20_000);
        int warmup = Integer.getInteger("bench.sentinel.warmup", 20_000);
        List<String> names = List.of("sn0", "sn1", "sn2", "sn3");

        preload("threats.inbound", warmup + events, i -> event("sd-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
        defender.reset();
        BridgeProcess viaDefender = bridge("sentinel-defender", names, Map.of(), "-Xmx512m");
        Drain defenderDrain = measureDrain(viaDefender::cpu, viaDefender.pid(), warmup, events);
        viaDefender.sigterm();

        try (FakeLogsIngestion logs = new FakeLogsIngestion(false)) {
            StringBuilder yaml = new StringBuilder("integrations:\n");
            for (int n = 0; n < names.size(); n++) {
                String dcr = "dcr-" + String.format("%032x", n + 1);
                logs.rule(dcr, "Custom-MobileThreats_CL");
                yaml.append(logs.integration(names.get(n), "tenant-" + names.get(n), "acct-" + names.get(n), dcr, "Custom-MobileThreats_CL"));
            }
            preload("threats.inbound", warmup + events, i -> event("ss-" + i, "acct-" + names.get(i % 4), "CRITICAL", false));
            BridgeProcess viaSentinel = bridge("sentinel", yaml.toString(), logs.liveSettings(), Map.of(), "-Xmx512m");
            Drain sentinelDrain = measureDrain(viaSentinel::cpu, viaSentinel.pid(), warmup, events,
                    logs::rowCount, logs::firstRowAt, logs::lastRowAt);
            viaSentinel.sigterm();
            double rowsPerCall = (double) logs.rowCount() / Math.max(1, logs.calls().size());
            result("sentinel", "rows/s into the Logs Ingestion fake (4 integrations, once warm)", String.format("%.0f", sentinelDrain.warm.rate(events)));
            result("sentinel", "Defender path alerts/s, same events, same run", String.format("%.0f", defenderDrain.warm.rate(events)));
            result("sentinel", "bridge CPU s per 1,000 rows / per 1,000 Defender alerts", String.format("%.2f / %.2f (%.2fx)",
                    sentinelDrain.warm.cpuPerThousand(events), defenderDrain.warm.cpuPerThousand(events),
                    sentinelDrain.warm.cpuPerThousand(events) / defenderDrain.warm.cpuPerThousand(events)));
            result("sentinel", "rows per call (mean, whole drain)", String.format("%.0f (%d calls)", rowsPerCall, logs.calls().size()));
            result("sentinel", "whole drain from a cold start: rows/s / Defender alerts/s", String.format("%.0f / %.0f",
                    sentinelDrain.whole.rate(warmup + events), defenderDrain.whole.rate(warmup + events)));
        }
    }

    /** Issue 16: thousands of integrations on one instance and on three ({@link Tenants}). */
    private void tenants() throws Exception {
        new Tenants(work, broker, fake, defender, (figure, value) -> result("tenants", figure, value)).run();
    }

    // --- helpers ---------------------------------------------------------------------------

    /** Messages of vendor records with bridgeFormat set, preloaded on the inbound queue; returns their bytes. */
    private long preloadRecords(String format, int count, IntFunction<String> body) throws Exception {
        long bytes = 0;
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
             Connection connection = factory.createConnection(StandaloneBroker.USER, StandaloneBroker.PASSWORD);
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            for (int i = 0; i < count; i++) {
                String text = body.apply(i);
                bytes += text.length();
                jakarta.jms.TextMessage message = session.createTextMessage(text);
                message.setStringProperty("bridgeFormat", format);
                producer.send(message);
                session.commit();
            }
        }
        System.out.printf("preloaded %d %s messages (%d bytes)%n", count, format, bytes);
        return bytes;
    }

    private record Measured(long millis, Duration cpu) {
        double rate(int events) {
            return events * 1000.0 / Math.max(1, millis);
        }

        double cpuPerThousand(int events) {
            return cpu.toMillis() / 1000.0 / (events / 1000.0);
        }
    }

    /** A drain measured whole and after its warm-up, with the JIT threads' CPU during the latter. */
    private record Drain(Measured whole, Measured warm, Duration jit) {
        double jitShare() {
            return 100.0 * jit.toMillis() / Math.max(1, warm.cpu.toMillis());
        }
    }

    /**
     * Waits for {@code warmup + events} creates; measures the whole drain (from the first create) and the
     * part after the first {@code warmup} creates.
     */
    private Drain measureDrain(java.util.function.Supplier<Duration> cpu, long pid, int warmup, int events) throws InterruptedException {
        return measureDrain(cpu, pid, warmup, events, defender::totalCreates, () -> defender.firstCreateAt, () -> defender.lastCreateAt);
    }

    /** The same, for any counter of delivered alerts or rows and the times of the first and the last. */
    private Drain measureDrain(java.util.function.Supplier<Duration> cpu, long pid, int warmup, int events,
                               LongSupplier delivered, LongSupplier firstAt, LongSupplier lastAt) throws InterruptedException {
        Duration atFirst = null;
        Duration atWarm = null;
        Duration jitAtWarm = Duration.ZERO;
        long warmAt = 0;
        long deadline = System.currentTimeMillis() + Duration.ofMinutes(15).toMillis();
        while (delivered.getAsLong() < warmup + events) {
            if (atFirst == null && firstAt.getAsLong() > 0) {
                atFirst = cpu.get();
            }
            if (atWarm == null && warmup > 0 && delivered.getAsLong() >= warmup) {
                atWarm = cpu.get();
                jitAtWarm = jitCpu(pid);
                warmAt = System.currentTimeMillis();
            }
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("only " + delivered.getAsLong() + " of " + (warmup + events) + " alerts in 15 minutes");
            }
            Thread.sleep(20);
        }
        Duration atEnd = cpu.get();
        Duration jit = jitCpu(pid).minus(jitAtWarm);
        Measured whole = new Measured(lastAt.getAsLong() - firstAt.getAsLong(),
                atEnd.minus(atFirst == null ? Duration.ZERO : atFirst));
        Measured warm = warmup > 0 ? new Measured(lastAt.getAsLong() - warmAt, atEnd.minus(atWarm)) : whole;
        return new Drain(whole, warm, jit);
    }

    /** CPU time of a process's JIT compiler threads (C1, C2), from /proc; zero where that is not available. */
    private static Duration jitCpu(long pid) {
        long ticks = 0;
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (!Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException threadGone) {
                    // a compiler thread may end between listing and reading
                }
            }
        } catch (IOException notLinux) {
            return Duration.ZERO;
        }
        // USER_HZ is 100 on Linux
        return Duration.ofMillis(ticks * 10);
    }

    private BridgeProcess bridge(String scenario, List<String> names, Map<String, String> extra, String heap) throws Exception {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (String name : names) {
            yaml.append(FakeMicrosoft.integration(name, "tenant-" + name, "acct-" + name, fake.baseUrl() + "/" + name));
        }
        return bridge(scenario, yaml.toString(), fake.liveSettings(), extra, heap);
    }

    /** A bridge with this integrations file, authenticating where {@code live} says (the fake it delivers to). */
    private BridgeProcess bridge(String scenario, String yaml, Map<String, String> live, Map<String, String> extra, String heap) throws Exception {
        Path dir = Files.createDirectories(work.resolve(scenario));
        Files.writeString(dir.resolve("integrations.yaml"), yaml);
        Map<String, String> settings = new HashMap<>(live);
        settings.put("bridge.broker.url", broker.url());
        settings.put("bridge.broker.user", StandaloneBroker.USER);
        settings.put("bridge.broker.password", StandaloneBroker.PASSWORD);
        settings.put("bridge.integrations-file", dir.resolve("integrations.yaml").toString());
        settings.put("bridge.data-dir", dir.resolve("data").toString());
        settings.put("bridge.defender.create-per-minute", "0");
        settings.put("bridge.defender.update-per-minute", "0");
        // Graph's too: events with no Defender machine id (Zimperium's) go to Graph's createAlert
        settings.put("bridge.graph.create-per-minute", "0");
        settings.put("bridge.graph.update-per-minute", "0");
        settings.putAll(extra);
        // bench.bridge.jvm: more JVM options for the bridge, a flight recording for instance (docs/benchmarks.md)
        BridgeProcess bridge = new BridgeProcess(settings, BridgeHarness.freePort(), dir.resolve("bridge.log"),
                heap + " " + System.getProperty("bench.bridge.jvm", ""));
        bridge.start();
        bridge.awaitReady();
        return bridge;
    }

    private int warmedUp;

    /** Five seconds of load before a measurement, which are then forgotten: JIT, connections, tokens. */
    private void warmUp(IntFunction<String> body) throws Exception {
        long before = defender.totalCreates();
        warmedUp = steadyLoad(100, Duration.ofSeconds(5), body);
        await(Duration.ofMinutes(1), () -> defender.totalCreates() >= before + warmedUp);
        defender.latencies.clear();
    }

    private static String event(String id, String account, String severity, boolean stampSendTime) {
        String eventId = stampSendTime ? id + "-at-" + System.currentTimeMillis() : id;
        return Events.event(eventId, account, "thr-" + id, severity, "ACTIVE").toString();
    }

    private void preload(String queue, int count, IntFunction<String> body) throws Exception {
        long start = System.currentTimeMillis();
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
             Connection connection = factory.createConnection(StandaloneBroker.USER, StandaloneBroker.PASSWORD);
             Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
             MessageProducer producer = session.createProducer(session.createQueue(queue))) {
            for (int i = 0; i < count; i++) {
                producer.send(session.createTextMessage(body.apply(i)));
                if (i % 500 == 499) {
                    session.commit();
                }
            }
            session.commit();
        }
        System.out.printf("preloaded %d events on %s in %d ms%n", count, queue, System.currentTimeMillis() - start);
    }

    /** Sends at a fixed rate for a while; returns how many were sent. */
    private int steadyLoad(int perSecond, Duration duration, IntFunction<String> body) throws Exception {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url());
             Connection connection = factory.createConnection(StandaloneBroker.USER, StandaloneBroker.PASSWORD);
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
             MessageProducer producer = session.createProducer(session.createQueue("threats.inbound"))) {
            long start = System.nanoTime();
            long interval = 1_000_000_000L / perSecond;
            int sent = 0;
            while (System.nanoTime() - start < duration.toNanos()) {
                long due = start + sent * interval;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                producer.send(session.createTextMessage(body.apply(sent)));
                sent++;
            }
            return sent;
        }
    }

    private static void await(Duration atMost, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(atMost);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("condition not met within " + atMost);
            }
            Thread.sleep(50);
        }
    }

    static long percentile(List<Long> values, int percentile) {
        if (values.isEmpty()) {
            return -1;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Heap in use after the last collection, as jcmd reports it. */
    static long heapUsedKiB(long pid) throws IOException, InterruptedException {
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("total \\d+K, used (\\d+)K").matcher(jcmd(pid, "GC.heap_info"));
        return used.find() ? Long.parseLong(used.group(1)) : 0;
    }

    /** Heap in use after a full collection (jcmd GC.run first): what the process holds live. */
    static long liveHeapKiB(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        return heapUsedKiB(pid);
    }

    /** Runs a jcmd command on the process; its output. */
    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), String.valueOf(pid), command)
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
