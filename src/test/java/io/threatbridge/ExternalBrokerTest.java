package io.threatbridge;

import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With bridge.broker.url set the bridge starts no broker of its own and works through the one it is given. */
class ExternalBrokerTest {

    @TempDir
    Path dir;

    @Test
    void usesTheConfiguredBrokerAndStartsNone() throws Exception {
        int externalPort = BridgeHarness.freePort();
        EmbeddedActiveMQ external = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setName("external").setSecurityEnabled(false).setPersistenceEnabled(true)
                .setJournalDirectory(dir.resolve("ext/journal").toString())
                .setBindingsDirectory(dir.resolve("ext/bindings").toString())
                .setLargeMessagesDirectory(dir.resolve("ext/large").toString())
                .setPagingDirectory(dir.resolve("ext/paging").toString())
                .addAcceptorConfiguration("tcp", "tcp://127.0.0.1:" + externalPort));
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
            NotifyBuilder delivered = new NotifyBuilder(bridge.camel()).fromRoute("deliver-contoso").whenDone(1).create();
            try (var connection = new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory("tcp://127.0.0.1:" + externalPort)
                    .createConnection(); var session = connection.createSession()) {
                session.createProducer(session.createQueue("threats.inbound"))
                        .send(session.createTextMessage(Events.sample("critical-mitm.json").toString()));
            }
            assertTrue(delivered.matches(30, TimeUnit.SECONDS));
            assertEquals("5b0e3c1e-8d0f-4a57-9d3e-0c1f2a3b4c5d", bridge.dryRunLines().get(0).get("eventId").asText());
        } finally {
            external.stop();
        }
    }
}
