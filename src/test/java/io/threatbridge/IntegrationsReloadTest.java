package io.threatbridge;

import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A changed integrations file applies without a restart; a bad one is refused and the running config stays. */
class IntegrationsReloadTest {

    @TempDir
    Path dir;

    private static final String ALPHA = "  - {name: alpha, tenantId: 11111111-0000-0000-0000-000000000001, accounts: [a], filterLevel: NORMAL_AND_ABOVE}\n";
    private static final String BETA = "  - {name: beta, tenantId: 22222222-0000-0000-0000-000000000002, accounts: [b], filterLevel: NORMAL_AND_ABOVE}\n";
    private int generation;

    private void rewrite(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        // a new modification time even within the file system's time resolution
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(++generation)));
    }

    private boolean delivered(BridgeHarness bridge, String eventId) {
        return bridge.dryRunLines().stream().anyMatch(line -> line.get("eventId").asText().equals(eventId));
    }

    @Test
    void addRefuseAndRemoveIntegrationsWhileRunning() throws Exception {
        try (LogCapture log = new LogCapture();
             BridgeHarness bridge = BridgeHarness.start(dir, "integrations:\n" + ALPHA, Map.of("bridge.integrations-reload-ms", "200"))) {
            Path file = dir.resolve("integrations.yaml");

            rewrite(file, "integrations:\n" + ALPHA + BETA);
            await().until(() -> bridge.delivering("beta"));
            bridge.send(Events.event("r-1", "b", "thr-r-1", "CRITICAL", "ACTIVE").toString());
            await().until(() -> delivered(bridge, "r-1"));
            assertTrue(ManagementFactory.getPlatformMBeanServer().isRegistered(
                    new javax.management.ObjectName("threatbridge:type=Integration,name=beta")));

            rewrite(file, "integrations:\n" + ALPHA + BETA.replace("NORMAL_AND_ABOVE", "HIGH"));
            await().until(() -> log.text().contains("integrations file refused, the running integrations stay: "
                    + file + ": integrations[1] (beta): filterLevel 'HIGH' is not one of"));
            // the bridge runs on, but a restart would fail on this file: readiness says so meanwhile
            await().until(() -> bridge.observe("health/ready").statusCode() == 503);
            assertTrue(bridge.observe("health/ready").body().contains("integrations-file"));
            bridge.send(Events.event("r-2", "b", "thr-r-2", "LOW", "ACTIVE").toString());
            await().until(() -> delivered(bridge, "r-2"));

            rewrite(file, "integrations:\n" + BETA);
            await().until(() -> !bridge.delivering("alpha"));
            await().until(() -> bridge.observe("health/ready").statusCode() == 200);
            bridge.send(Events.event("r-3", "a", "thr-r-3", "CRITICAL", "ACTIVE").toString());
            Message invalid = bridge.receive("threats.invalid", 30_000);
            assertNotNull(invalid);
            assertTrue(invalid.getStringProperty("bridgeError").startsWith("accountId: 'a' is not an account of any integration"));
        }
    }
}
