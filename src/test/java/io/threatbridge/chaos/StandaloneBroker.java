package io.threatbridge.chaos;

import io.threatbridge.BridgeHarness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * A standalone Artemis broker in a process of its own, from the distribution the build unpacks
 * (target/standalone-artemis), configured with the artemis/standalone/broker.xml operators get, or
 * one of a replicating pair configured with artemis/ha/.
 */
public final class StandaloneBroker implements AutoCloseable {

    public static final String USER = "bridge";
    public static final String PASSWORD = "bridge-password";
    static final String CLUSTER_PASSWORD = "pair-password";

    private final Path instance;
    public final int port;
    private Process process;

    /** The single broker of artemis/standalone/broker.xml, with a cluster password of its own. */
    public StandaloneBroker(Path instance, int port) throws Exception {
        this(instance, port, Files.readString(Path.of("artemis/standalone/broker.xml")), java.util.UUID.randomUUID().toString());
    }

    /** A single broker of this broker.xml text instead of the shipped one (a benchmark's baseline), not started. */
    public static StandaloneBroker of(Path instance, int port, String brokerXml) throws Exception {
        return new StandaloneBroker(instance, port, brokerXml, java.util.UUID.randomUUID().toString());
    }

    private StandaloneBroker(Path instance, int port, String brokerXml, String clusterPassword) throws Exception {
        this.instance = instance;
        this.port = port;
        Path home = Path.of(System.getProperty("standalone.artemis.home", "target/standalone-artemis/apache-artemis-2.40.0"));
        Files.createDirectories(instance.getParent());
        Path createLog = instance.resolveSibling(instance.getFileName() + "-create.log");
        Process create = new ProcessBuilder(home.resolve("bin/artemis").toString(), "create", instance.toString(),
                "--user", USER, "--password", PASSWORD, "--role", "bridge", "--require-login", "--silent", "--no-web",
                "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor", "--no-autotune")
                .redirectErrorStream(true).redirectOutput(createLog.toFile()).start();
        if (!create.waitFor(120, TimeUnit.SECONDS) || create.exitValue() != 0) {
            throw new IllegalStateException("artemis create failed: " + Files.readString(createLog));
        }
        // the configuration operators are given, on a port of the test's own
        Files.writeString(instance.resolve("etc/broker.xml"), brokerXml.replace("tcp://0.0.0.0:61616", "tcp://127.0.0.1:" + port));
        // the file broker.xml takes its cluster password from, as docs/deployment.md tells operators to write it
        Files.writeString(instance.resolve("etc/cluster-password"), clusterPassword + "\n");
    }

    /**
     * A replicating pair made from artemis/ha/primary.xml and backup.xml the way docs/deployment.md
     * tells operators to: both hosts filled in and the same etc/cluster-password written on both;
     * here both on loopback, each on a port of its own. Not started.
     */
    public static Pair replicatedPair(Path dir) throws Exception {
        int primaryPort = BridgeHarness.freePort();
        int backupPort = BridgeHarness.freePort();
        UnaryOperator<String> install = xml -> xml
                .replace("tcp://broker-primary:61616", "tcp://127.0.0.1:" + primaryPort)
                .replace("tcp://broker-backup:61616", "tcp://127.0.0.1:" + backupPort);
        return new Pair(
                new StandaloneBroker(dir.resolve("primary"), primaryPort, install.apply(Files.readString(Path.of("artemis/ha/primary.xml"))),
                        CLUSTER_PASSWORD),
                new StandaloneBroker(dir.resolve("backup"), backupPort, install.apply(Files.readString(Path.of("artemis/ha/backup.xml"))),
                        CLUSTER_PASSWORD));
    }

    /** A primary and its backup; clients list both and follow whichever is active. */
    public record Pair(StandaloneBroker primary, StandaloneBroker backup) implements AutoCloseable {

        public String url() {
            return "(" + primary.url() + "," + backup.url() + ")?ha=true&reconnectAttempts=-1";
        }

        /** The primary, then the backup once it holds a full copy of the primary's journal. */
        public void start() throws Exception {
            primary.start();
            backup.launch();
            backup.awaitInSync(1);
        }

        @Override
        public void close() throws Exception {
            try {
                backup.close();
            } finally {
                primary.close();
            }
        }
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker's JVM (bin/artemis may run it as a child of its script), for jcmd. */
    public long pid() {
        ProcessHandle script = process.toHandle();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(script), script.descendants())
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/java")).orElse(false))
                .findFirst().orElse(script).pid();
    }

    /** Starts the broker and waits until it accepts clients, which a primary does once it is active. */
    public void start() throws IOException {
        launch();
        await().atMost(Duration.ofSeconds(90)).until(this::accepting);
    }

    /** Starts the broker process without waiting: a backup never accepts clients while its primary runs. */
    public void launch() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(console().toFile()));
        // more heap than broker.xml's global-max-size (512MB), which Artemis fills before it pages (its own profile gives 2G)
        builder.environment().put("JAVA_ARGS", "-Xms128m -Xmx1g -XX:+UseG1GC --add-opens java.base/jdk.internal.misc=ALL-UNNAMED");
        process = builder.start();
    }

    /** Waits until this backup has synchronised with its primary for the n-th time since it was made. */
    public void awaitInSync(int times) {
        // a re-sync copies the live broker's whole journal: on a loaded 2-core machine it has taken over 90 s
        await().atMost(Duration.ofSeconds(180)).until(() -> logged("AMQ221024") >= times);
    }

    /**
     * After a failback: waits until this backup, which handed the active role back to the restarted
     * primary, has synchronised with it again (the n-th time). Artemis 2.40's backup sometimes does
     * not come back as a backup: after AMQ221039 "Restarting as replicating backup" its restarted
     * server stops at once (uptime a few ms) or logs AMQ222232 "Unable to acquire lock" (an
     * interrupted activation), and its process exits with status 0. A service manager with
     * Restart=always (docs/deployment.md) starts it again; so does this method.
     */
    public void awaitInSyncAfterFailback(int times) throws Exception {
        // counted from the start of its log: the restarted primary accepts clients only after the hand-over,
        // by when the backup may have failed already, and a backup that restarts well never logs it
        await().atMost(Duration.ofSeconds(180))
                .until(() -> logged("AMQ221024") >= times || logged("AMQ222232") > 0 || !process.isAlive());
        if (logged("AMQ221024") >= times) {
            return;
        }
        // which of the two it was decides what restarts it in production: say which
        boolean exited = process.waitFor(5, TimeUnit.SECONDS);
        System.out.println("chaos failover: the backup did not restart as a backup after the failback ("
                + (logged("AMQ222232") > 0 ? "AMQ222232" : "its restarted server stopped") + "); its process "
                + (exited ? "exited with " + process.exitValue() : "still running after 5 s") + "; started again");
        kill();
        launch();
        awaitInSync(times);
    }

    /** How often the broker's console log holds this message code, e.g. AMQ221007 "Server is now active". */
    public long logged(String code) throws IOException {
        try (var lines = Files.lines(console())) {
            return lines.filter(line -> line.contains(code)).count();
        }
    }

    private Path console() {
        return instance.resolve("log/console.log");
    }

    /** SIGKILL: the broker gets no chance to tidy up; its journal is all that is left. */
    public void kill() throws InterruptedException {
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroyForcibly();
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean accepting() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            List<ProcessHandle> children = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
            children.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
