package io.threatbridge.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/** target/threat-bridge.jar as a child process, started, killed and restarted the way an operator would. */
public final class BridgeProcess implements AutoCloseable {

    private final Map<String, String> settings;
    private final String heap;
    private final Path log;
    private final int managementPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    public BridgeProcess(Map<String, String> settings, int managementPort, Path log) {
        this(settings, managementPort, log, "-Xmx384m");
    }

    public BridgeProcess(Map<String, String> settings, int managementPort, Path log, String heap) {
        this.heap = heap;
        this.settings = Map.copyOf(settings);
        this.managementPort = managementPort;
        this.log = log;
    }

    public void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                heap, "-Djavax.net.ssl.trustStore=" + System.getProperty("javax.net.ssl.trustStore"),
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
