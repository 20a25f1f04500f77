package io.threatbridge.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A standalone Artemis broker in a process of its own, from the distribution the build unpacks
 * (target/standalone-artemis), configured with the artemis/standalone/broker.xml operators get.
 */
public final class StandaloneBroker implements AutoCloseable {

    public static final String USER = "bridge";
    public static final String PASSWORD = "bridge-password";

    private final Path instance;
    public final int port;
    private Process process;

    public StandaloneBroker(Path instance, int port) throws Exception {
        this.instance = instance;
        this.port = port;
        Path home = Path.of(System.getProperty("standalone.artemis.home", "target/standalone-artemis/apache-artemis-2.40.0"));
        Process create = new ProcessBuilder(home.resolve("bin/artemis").toString(), "create", instance.toString(),
                "--user", USER, "--password", PASSWORD, "--role", "bridge", "--require-login", "--silent", "--no-web",
                "--no-amqp-acceptor", "--no-mqtt-acceptor", "--no-stomp-acceptor", "--no-hornetq-acceptor", "--no-autotune")
                .redirectErrorStream(true).redirectOutput(instance.getParent().resolve("artemis-create.log").toFile()).start();
        if (!create.waitFor(120, TimeUnit.SECONDS) || create.exitValue() != 0) {
            throw new IllegalStateException("artemis create failed: " + Files.readString(instance.getParent().resolve("artemis-create.log")));
        }
        // the configuration operators are given, on a port of the test's own
        String brokerXml = Files.readString(Path.of("artemis/standalone/broker.xml"))
                .replace("tcp://0.0.0.0:61616", "tcp://127.0.0.1:" + port);
        Files.writeString(instance.resolve("etc/broker.xml"), brokerXml);
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public void start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder(instance.resolve("bin/artemis").toString(), "run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(instance.resolve("log/console.log").toFile()));
        builder.environment().put("JAVA_ARGS", "-Xms128m -Xmx512m -XX:+UseG1GC --add-opens java.base/jdk.internal.misc=ALL-UNNAMED");
        process = builder.start();
        await().atMost(Duration.ofSeconds(90)).until(this::accepting);
    }

    /** SIGKILL: the broker gets no chance to tidy up; its journal is all that is left. */
    public void kill() throws InterruptedException {
        for (ProcessHandle child : process.descendants().toList()) {
            child.destroyForcibly();
        }
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private boolean accepting() {
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
