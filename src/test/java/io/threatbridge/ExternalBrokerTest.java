package io.threatbridge;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With bridge.broker.url set the bridge starts no broker of its own and works through the one it is given. */
class ExternalBrokerTest {

    @TempDir
    Path dir;

    private EmbeddedActiveMQ broker(int port) throws Exception {
        return new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setName("external").setSecurityEnabled(false).setPersistenceEnabled(true)
                .setJournalDirectory(dir.resolve("ext/journal").toString())
                .setBindingsDirectory(dir.resolve("ext/bindings").toString())
                .setLargeMessagesDirectory(dir.resolve("ext/large").toString())
                .setPagingDirectory(dir.resolve("ext/paging").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + port));
    }

    private static void send(int port, String body) throws Exception {
        try (var connection = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("tcp://127.0.0.1:" + port)
                .createConnection(); var session = connection.createSession()) {
            session.createProducer(session.createQueue("threats.inbound")).send(session.createTextMessage(body));
        }
    }

    private static HttpResponse<String> health(BridgeHarness bridge) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void usesTheConfiguredBrokerAndStartsNoneAndRidesOutABrokerRestart() throws Exception {
        int externalPort = BridgeHarness.freePort();
        EmbeddedActiveMQ external = broker(externalPort);
        external.start();
        try (BridgeHarness bridge = BridgeHarness.start(dir, """
                integrations:
                  - name: contoso
                    tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47
                    accounts: [acme]
                """, Map.of("bridge.broker.url", "tcp://127.0.0.1:" + externalPort))) {
            // the harness's own port for an embedded broker stays free: nothing was started there
            try (ServerSocket unused = new ServerSocket(bridge.brokerPort)) {
                assertEquals(bridge.brokerPort, unused.getLocalPort());
            }
            NotifyBuilder delivered = new NotifyBuilder(bridge.camel()).fromRoute("defender-delivery").whenDone(1).create();
            send(externalPort, Events.sample("critical-mitm.json").toString());
            assertTrue(delivered.matches(30, TimeUnit.SECONDS));
            assertEquals("5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d", bridge.dryRunLines().get(0).get("eventId").asText());
            await().until(() -> health(bridge).statusCode() == 200);

            external.stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                HttpResponse<String> down = health(bridge);
                return down.statusCode() == 503 && down.body().contains("\"broker\"");
            });
            external = broker(externalPort);
            external.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> health(bridge).statusCode() == 200);
            send(externalPort, Events.event("after-restart", "acme", "thr-after", "CRITICAL", "ACTIVE").toString());
            await().atMost(Duration.ofSeconds(60)).until(() -> bridge.dryRunLines().stream()
                    .anyMatch(line -> line.get("eventId").asText().equals("after-restart")));
        } finally {
            external.stop();
        }
    }
}
