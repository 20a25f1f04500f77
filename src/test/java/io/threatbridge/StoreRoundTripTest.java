package io.threatbridge;

import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Create, then resolve with the alert id the create returned, end to end on each store. */
class StoreRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void createThenResolve(String kind) throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/st");
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.putAll(TestStores.settings(kind, dir));
            String yaml = "integrations:\n" + FakeMicrosoft.integration("st", "tenant-st", "acme", microsoft.baseUrl() + "/st");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                bridge.send(Events.event("st-1", "acme", "thr-st", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("st", "st-1"));
                String alertId = bridge.store().alertId("st", "thr-st");
                bridge.send(Events.event("st-2", "acme", "thr-st", "CRITICAL", "RESOLVED").toString());
                await().until(() -> bridge.store().isDone("st", "st-2"));
                assertEquals(1, microsoft.creates("/st").size());
                assertEquals(java.util.List.of("/st/api/alerts/" + alertId), microsoft.calls("/st").stream()
                        .filter(r -> r.getMethod().getName().equals("PATCH")).map(r -> r.getUrl()).toList(), "the PATCH names the created alert");
            }
        }
    }
}
