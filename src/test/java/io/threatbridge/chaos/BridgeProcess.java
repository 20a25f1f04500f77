package io.threatbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.BridgeHarness;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.store.TestStores;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** target/threat-bridge.jar as a child process, started, killed and restarted the way an operator would. */
public final class BridgeProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, String> settings;
    private final String jvmOptions;
    private final Path log;
    private final int managementPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    public BridgeProcess(Map<String, String> settings, int managementPort, Path log) {
        this(settings, managementPort, log, "-Xmx384m");
    }

    /** @param jvmOptions the heap, and any other JVM options, separated by spaces */
    public BridgeProcess(Map<String, String> settings, int managementPort, Path log, String jvmOptions) {
        this.jvmOptions = jvmOptions;
        this.settings = Map.copyOf(settings);
        this.managementPort = managementPort;
        this.log = log;
    }

    /**
     * Several instances with these settings, each with a data directory and a log of its own under
     * dir, started together and awaited ready. Each goes into {@code bridges} as it starts, so that
     * the caller's teardown stops it even when a later one fails.
     */
    public static void startInstances(Map<String, String> settings, int count, Path dir, List<BridgeProcess> bridges) throws IOException {
        for (int i = 1; i <= count; i++) {
            Map<String, String> own = new HashMap<>(settings);
            own.put("bridge.data-dir", dir.resolve("data-" + i).toString());
            BridgeProcess bridge = new BridgeProcess(own, BridgeHarness.freePort(), dir.resolve("bridge-" + i + ".log"));
            bridge.start();
            bridges.add(bridge);
        }
        bridges.forEach(BridgeProcess::awaitReady);
    }

    /**
     * What every process-level test gives its bridges: live mode against the fake, the standalone
     * broker (or pair) at {@code brokerUrl}, a PostgreSQL schema and the integrations file. Each
     * test adds its own.
     */
    public static Map<String, String> settings(FakeMicrosoft microsoft, String brokerUrl, String schema, Path integrations) {
        return settings(microsoft, brokerUrl, Map.of("bridge.store.url", TestStores.POSTGRES + "?currentSchema=" + schema,
                "bridge.store.user", TestStores.POSTGRES_USER), integrations);
    }

    /** The same with the store settings given: {@code bridge.store.url} and, where it needs one, {@code bridge.store.user}. */
    public static Map<String, String> settings(FakeMicrosoft microsoft, String brokerUrl, Map<String, String> store, Path integrations) {
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.putAll(store);
        settings.putAll(Map.of(
                "bridge.broker.url", brokerUrl,
                "bridge.broker.user", StandaloneBroker.USER,
                "bridge.broker.password", StandaloneBroker.PASSWORD,
                "bridge.integrations-file", integrations.toString(),
                // the fake answers at once: short time-outs keep short the wait before a killed
                // instance's unanswered create is looked up (UnansweredCreates)
                "bridge.http.connect-timeout-ms", "2000",
                "bridge.http.response-timeout-ms", "5000"));
        return settings;
    }

    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(jvmOptions.trim().split("\\s+")));
        command.addAll(List.of("-Djavax.net.ssl.trustStore=" + System.getProperty("javax.net.ssl.trustStore"),
                "-Djavax.net.ssl.trustStorePassword=changeit", "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Dcamel.management.port=" + managementPort));
        settings.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.addAll(List.of("-jar", "target/threat-bridge.jar"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    public void awaitReady() {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> health() == 200);
    }

    /**
     * The status readiness (/observe/health/ready: broker, store, integrations file) answers with,
     * or -1 when nothing answers. Not /observe/health, which also reports tenants whose calls all
     * fail, as the chaos tenant that refuses every alert does.
     */
    public int health() {
        HttpResponse<String> answer = healthAnswer();
        return answer == null ? -1 : answer.statusCode();
    }

    /** What readiness says, checks and messages included, for a test's failure message; null when nothing answers. */
    public HttpResponse<String> healthAnswer() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/health/ready"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * When this bridge last delivered for each of its integrations (MBean attribute LastDeliveredAt,
     * read over Jolokia); integrations it never delivered for are left out.
     */
    public Map<String, Instant> lastDelivered() throws IOException, InterruptedException {
        JsonNode values = JSON.readTree(get("/observe/jolokia/read/threatbridge:type=Integration,name=*/LastDeliveredAt")).path("value");
        Map<String, Instant> last = new HashMap<>();
        values.fields().forEachRemaining(mbean -> {
            String at = mbean.getValue().path("LastDeliveredAt").asText();
            if (!at.isEmpty()) {
                last.put(mbean.getKey().replaceAll(".*name=([^,]+).*", "$1"), Instant.parse(at));
            }
        });
        return last;
    }

    /** The integrations this bridge has in force: those with an MBean, read over Jolokia. */
    public Set<String> integrations() throws IOException, InterruptedException {
        Set<String> names = new HashSet<>();
        JSON.readTree(get("/observe/jolokia/read/threatbridge:type=Integration,name=*/Delivered")).path("value").fieldNames()
                .forEachRemaining(mbean -> names.add(mbean.replaceAll(".*name=([^,]+).*", "$1")));
        return names;
    }

    /** Events this bridge has taken off the inbound queue (its ingest route's exchanges, from /observe/metrics). */
    public long ingested() throws IOException, InterruptedException {
        return get("/observe/metrics").lines()
                .filter(line -> line.startsWith("camel_exchanges_succeeded_total{") && line.contains("routeId=\"ingest\""))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** The Prometheus text of /observe/metrics. */
    public String metrics() throws IOException, InterruptedException {
        return get("/observe/metrics");
    }

    private String get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    public void sigkill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM; returns how long the bridge took to exit. */
    public Duration sigterm() throws InterruptedException {
        long start = System.nanoTime();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the bridge did not exit within 60 s of SIGTERM");
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** CPU time the bridge process has used so far. */
    public Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            sigkill();
        }
    }
}
