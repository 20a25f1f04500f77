package io.threatbridge.chaos;

import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The PostgreSQL store goes away for a while as events flow: they stay on their queue, health says
 * DOWN, and once the store is back every event is delivered once, none dead-lettered.
 */
class StoreOutageTest {

    @TempDir
    Path dir;

    private static int health(BridgeHarness bridge) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void eventsWaitOutAStoreOutage() throws Exception {
        String schema = TestStores.freshPostgresSchema();
        try (FakeMicrosoft microsoft = new FakeMicrosoft(); TcpProxy database = new TcpProxy(5432)) {
            microsoft.acceptAlerts("/so");
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.store.url", "jdbc:postgresql://127.0.0.1:" + database.port + "/test?currentSchema=" + schema
                    + "&connectTimeout=2&socketTimeout=5");
            settings.put("bridge.store.user", TestStores.POSTGRES_USER);
            settings.put("bridge.defender.create-per-minute", "0");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("so", "tenant-so", "acme", microsoft.baseUrl() + "/so");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                bridge.send(Events.event("so-0", "acme", "thr-so-0", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("so", "so-0"));
                await().until(() -> health(bridge) == 200);

                long cutAt = System.currentTimeMillis();
                database.cut();
                for (int i = 1; i <= 20; i++) {
                    bridge.send(Events.event("so-" + i, "acme", "thr-so-" + i, "CRITICAL", "ACTIVE").toString());
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> health(bridge) == 503);
                System.out.printf("store outage: health DOWN after %d ms%n", System.currentTimeMillis() - cutAt);
                database.restore();
                long restoredAt = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(90)).until(() -> bridge.store().isDone("so", "so-20") && health(bridge) == 200);
                for (int i = 1; i <= 20; i++) {
                    assertEquals(true, bridge.store().isDone("so", "so-" + i), "so-" + i);
                }
                System.out.printf("store outage: 20 events delivered %d ms after the store came back; creates=%d%n",
                        System.currentTimeMillis() - restoredAt, microsoft.creates("/so").size());
                assertEquals(21, microsoft.creates("/so").size(), "each event once");
                assertNull(bridge.receive("threats.dlq", 200), "an outage of the store is no reason to give an event up");
            }
        }
    }
}
