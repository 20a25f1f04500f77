package io.threatbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Dry-run's made-up alert ids stay in a store of their own: an event handled while no client id was
 * set is delivered for real once the bridge goes live with the same data directory, not skipped as
 * done, and the live bridge never tries to resolve a dry-run alert id.
 */
class DryRunThenLiveTest {

    @TempDir
    Path dir;

    @Test
    void eventsHandledInDryRunAreDeliveredOnceLive() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/dl");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("dl", "tenant-dl", "acme", microsoft.baseUrl() + "/dl");
            String event = Events.event("dl-1", "acme", "thr-dl", "CRITICAL", "ACTIVE").toString();
            // no client id: dry-run (the fake's host configured, as the apiUrl check wants)
            try (BridgeHarness dryRun = BridgeHarness.start(dir, yaml, java.util.Map.of("bridge.defender.api-url", microsoft.baseUrl()))) {
                dryRun.send(event);
                await().until(() -> dryRun.dryRunLines().size() == 1);
                await().until(() -> dryRun.store().isDone("dl", "dl-1"));
            }
            try (BridgeHarness live = BridgeHarness.start(dir, yaml, microsoft.liveSettings())) {
                assertFalse(live.store().isDone("dl", "dl-1"), "dry-run's record is not the live store's");
                live.send(event);
                await().until(() -> live.store().isDone("dl", "dl-1"));
            }
            assertEquals(1, microsoft.creates("/dl").size(), "the event made its alert once live");
        }
    }
}
