package io.threatbridge.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.BridgeHarness;
import io.threatbridge.Events;
import io.threatbridge.FakeMicrosoft;
import io.threatbridge.microsoft.EndpointAlerts;
import io.threatbridge.event.EventValidator;
import io.threatbridge.store.TestStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The PostgreSQL store goes away for a while as events flow: they stay on their queue, health says
 * DOWN, and once the store is back every event is delivered once, none dead-lettered; also when it
 * goes away while a create is on its way to Defender.
 */
class StoreOutageTest {

    @TempDir
    Path dir;

    private static int health(BridgeHarness bridge) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/health")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Live mode, unpaced, on a fresh PostgreSQL schema reached through the proxy the test can cut. */
    private static Map<String, String> liveOnStoreBehind(TcpProxy database, FakeMicrosoft microsoft) throws SQLException {
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.store.url", "jdbc:postgresql://127.0.0.1:" + database.port + "/test?currentSchema="
                + TestStores.freshPostgresSchema() + "&connectTimeout=2&socketTimeout=5");
        settings.put("bridge.store.user", TestStores.POSTGRES_USER);
        settings.put("bridge.defender.create-per-minute", "0");
        // unpaced here, so the fake keeps no quota either (PacingTest checks the quotas)
        microsoft.rules.withoutQuotas();
        return settings;
    }

    @Test
    void eventsWaitOutAStoreOutage() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft(); TcpProxy database = new TcpProxy(5432)) {
            microsoft.acceptAlerts("/so");
            Map<String, String> settings = liveOnStoreBehind(database, microsoft);
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
                await().atMost(Duration.ofSeconds(90)).ignoreException(io.threatbridge.store.StoreUnavailableException.class)
                        .until(() -> bridge.store().isDone("so", "so-20") && health(bridge) == 200);
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

    /**
     * The store goes away after a create went out, so its alert cannot be recorded. Once the store is
     * back, the delivery starts over from what the store knows: a create is pending, so Defender is
     * asked for the alert, and no second alert is made.
     */
    @Test
    void anAlertMadeWhileTheStoreWasAwayIsFoundNotMadeAgain() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft(); TcpProxy database = new TcpProxy(5432)) {
            String active = Events.event("sc-1", "acme", "thr-sc-1", "CRITICAL", "ACTIVE").toString();
            // answered late enough to cut the store while the call is out
            microsoft.stubCreate("/sc", okJson("{\"id\":\"da-sc\"}").withFixedDelay(1500), 1);
            // what Defender lists when asked: the alert the create made
            ObjectNode made = new EndpointAlerts().createRequest(new EventValidator().validate(active), microsoft.sampleAnchor("tenant-sc"))
                    .body().deepCopy();
            made.put("id", "da-sc");
            microsoft.stub(get(urlPathEqualTo("/sc/api/alerts")).willReturn(okJson("{\"value\":[" + made + "]}")));
            Map<String, String> settings = liveOnStoreBehind(database, microsoft);
            settings.put("bridge.http.connect-timeout-ms", "1000");
            settings.put("bridge.http.response-timeout-ms", "3000");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("sc", "tenant-sc", "acme", microsoft.baseUrl() + "/sc");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                java.util.concurrent.atomic.AtomicInteger redeliveries = new java.util.concurrent.atomic.AtomicInteger();
                bridge.camel().getManagementStrategy().addEventNotifier(new org.apache.camel.support.EventNotifierSupport() {
                    @Override
                    public void notify(org.apache.camel.spi.CamelEvent event) {
                        if (event instanceof org.apache.camel.spi.CamelEvent.ExchangeRedeliveryEvent) {
                            redeliveries.incrementAndGet();
                        }
                    }
                });
                bridge.send(active);
                await().atMost(Duration.ofSeconds(20)).until(() -> microsoft.creates("/sc").size() == 1);
                database.cut();
                await().atMost(Duration.ofSeconds(30)).until(() -> health(bridge) == 503);
                // the answer came and could not be recorded: the delivery waits for the store, starting over
                await().atMost(Duration.ofSeconds(30)).until(() -> redeliveries.get() > 0);
                database.restore();
                // the test's own look at the store may meet a connection the cut broke, as the bridge's may
                await().atMost(Duration.ofSeconds(90)).ignoreException(io.threatbridge.store.StoreUnavailableException.class)
                        .until(() -> bridge.store().isDone("sc", "sc-1"));
                assertEquals("da-sc", bridge.store().alertId("sc", "thr-sc-1"));
                assertEquals(1, microsoft.creates("/sc").size(), "the alert made while the store was away is not made again");
                assertEquals(1, microsoft.calls("/sc").stream().filter(r -> r.getMethod().getName().equals("GET")).count(),
                        "Defender was asked for it");
                assertNull(bridge.receive("threats.dlq", 200));
            }
        }
    }
}
