package io.threatbridge.sentinel;

import io.threatbridge.BridgeHarness;
import io.threatbridge.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each api: sentinel integration holds a thread and a broker session while it waits for a batch:
 * the bridge's one hard limit in the number of integrations (bridge.sentinel.max-integrations). It is
 * an error at start and on reload, never a silent stall, and readiness says so.
 */
class SentinelLimitTest {

    static final String DCR = "dcr-0123456789abcdef0123456789abcdef";
    static final String STREAM = "Custom-ThreatBridge_CL";

    @TempDir
    Path dir;

    @Test
    void moreSentinelIntegrationsThanTheLimitAreRefusedAtStartAndOnReload() throws Exception {
        try (FakeLogsIngestion fake = new FakeLogsIngestion()) {
            Map<String, String> settings = new HashMap<>(fake.liveSettings());
            settings.put("bridge.sentinel.max-integrations", "1");
            settings.put("bridge.integrations-reload-ms", "200");
            String one = "integrations:\n" + fake.integration("s1", "tenant-1", "a1", DCR, STREAM);
            String two = one + fake.integration("s2", "tenant-2", "a2", DCR, STREAM);

            Files.createDirectories(dir.resolve("start"));
            Files.createDirectories(dir.resolve("reload"));
            Exception refused = assertThrows(Exception.class, () -> BridgeHarness.start(dir.resolve("start"), two, settings).close());
            assertTrue(rootMessage(refused).contains("2 enabled integrations with api: sentinel, more than bridge.sentinel.max-integrations (1)"),
                    rootMessage(refused));

            try (LogCapture log = new LogCapture();
                 BridgeHarness bridge = BridgeHarness.start(dir.resolve("reload"), one, settings)) {
                Path file = dir.resolve("reload").resolve("integrations.yaml");
                Files.writeString(file, two);
                Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 2000));
                await().atMost(Duration.ofSeconds(10)).until(() -> log.text().contains("more than bridge.sentinel.max-integrations (1)"));
                await().until(() -> bridge.observe("health/ready").statusCode() == 503);
                assertTrue(bridge.observe("health/ready").body().contains("integrations-file"));
            }
        }
    }

    private static String rootMessage(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append(" / ");
        }
        return all.toString();
    }
}
