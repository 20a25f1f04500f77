package io.threatbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The same event, once before and once after a restart, makes one Defender call: the store remembers. */
class RestartIdempotencyTest {

    @TempDir
    Path dir;

    @Test
    void aCopyAfterARestartMakesNoSecondCall() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/rs");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("rs", "tenant-rs", "acme", microsoft.baseUrl() + "/rs");
            String event = Events.event("rs-1", "acme", "thr-rs", "CRITICAL", "ACTIVE").toString();
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, microsoft.liveSettings())) {
                bridge.send(event);
                await().until(() -> bridge.store().isDone("rs", "rs-1"));
            }
            try (BridgeHarness restarted = BridgeHarness.start(dir, yaml, microsoft.liveSettings())) {
                restarted.send(event);
                restarted.send(Events.event("rs-2", "acme", "thr-rs-2", "CRITICAL", "ACTIVE").toString());
                await().until(() -> restarted.store().isDone("rs", "rs-2"));
                assertNotNull(restarted.store().alertId("rs", "thr-rs"));
            }
            assertEquals(2, microsoft.creates("/rs").size(), "rs-1 once, rs-2 once");
        }
    }
}
