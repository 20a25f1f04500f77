package io.threatbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integration MBeans (interface.md section 6) read and operated over a real remote JMX
 * connection, the way jconsole or VisualVM reach the bridge.
 */
class IntegrationJmxTest {

    @TempDir
    Path dir;

    @Test
    void countersAndPauseResumeOverRemoteJmx() throws Exception {
        int registryPort = BridgeHarness.freePort();
        LocateRegistry.createRegistry(registryPort);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + registryPort + "/jmxrmi");
        JMXConnectorServer jmxServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null, ManagementFactory.getPlatformMBeanServer());
        jmxServer.start();
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/ok");
            microsoft.stubCreate("/bad", FakeMicrosoft.status(400), 1);
            microsoft.stub(post(urlEqualTo("/busy/api/alerts/CreateAlertByReference")).inScenario("busy").whenScenarioStateIs(STARTED)
                    .willSetStateTo("throttled").willReturn(FakeMicrosoft.status(503)));
            microsoft.stub(post(urlEqualTo("/busy/api/alerts/CreateAlertByReference")).inScenario("busy").whenScenarioStateIs("throttled")
                    .willSetStateTo("open").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
            microsoft.stub(post(urlEqualTo("/busy/api/alerts/CreateAlertByReference")).inScenario("busy").whenScenarioStateIs("open")
                    .willReturn(okJson("{\"id\":\"da-busy\"}")));
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.delivery.initial-delay-ms", "100");
            settings.put("bridge.defender.create-per-minute", "0");
            String yaml = "integrations:\n"
                    + FakeMicrosoft.integration("ok", "tenant-ok", "acme", microsoft.baseUrl() + "/ok").replace("NORMAL_AND_ABOVE", "ELEVATED_AND_ABOVE")
                    + FakeMicrosoft.integration("bad", "tenant-bad", "globex", microsoft.baseUrl() + "/bad")
                    + FakeMicrosoft.integration("busy", "tenant-busy", "initech", microsoft.baseUrl() + "/busy");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings);
                 JMXConnector connector = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                ObjectName ok = new ObjectName("threatbridge:type=Integration,name=ok");
                ObjectName bad = new ObjectName("threatbridge:type=Integration,name=bad");
                ObjectName busy = new ObjectName("threatbridge:type=Integration,name=busy");
                assertEquals("", jmx.getAttribute(ok, "LastDeliveredAt"));

                bridge.send(Events.event("j-1", "acme", "thr-j-1", "CRITICAL", "ACTIVE").toString());
                bridge.send(Events.event("j-2", "acme", "thr-j-2", "LOW", "ACTIVE").toString());
                bridge.send(Events.event("j-3", "globex", "thr-j-3", "CRITICAL", "ACTIVE").toString());
                bridge.send(Events.event("j-4", "initech", "thr-j-4", "CRITICAL", "ACTIVE").toString());
                await().until(() -> (Long) jmx.getAttribute(ok, "Delivered") == 1L && (Long) jmx.getAttribute(ok, "Filtered") == 1L);
                assertTrue(((String) jmx.getAttribute(ok, "LastDeliveredAt")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
                await().until(() -> (Long) jmx.getAttribute(bad, "DeadLettered") == 1L);
                assertEquals("Defender answered 400: Test400 fake answer 400", jmx.getAttribute(bad, "LastError"));
                await().until(() -> (Long) jmx.getAttribute(busy, "Delivered") == 1L);
                assertEquals(1L, jmx.getAttribute(busy, "Retried"));
                assertEquals(1L, jmx.getAttribute(busy, "RateLimited"));

                jmx.invoke(ok, "pause", null, null);
                bridge.send(Events.event("j-5", "acme", "thr-j-5", "CRITICAL", "ACTIVE").toString());
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                        .until(() -> !bridge.store().isDone("ok", "j-5"));
                jmx.invoke(ok, "resume", null, null);
                await().until(() -> bridge.store().isDone("ok", "j-5"));
                assertEquals(2L, jmx.getAttribute(ok, "Delivered"));

                String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + bridge.managementPort + "/observe/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(metrics.contains("threatbridge_delivered_total{integration=\"ok\"} 2.0"), metrics);
                assertTrue(metrics.contains("threatbridge_filtered_total{integration=\"ok\"} 1.0"));
                assertTrue(metrics.contains("threatbridge_dead_lettered_total{integration=\"bad\"} 1.0"));
                assertTrue(metrics.contains("threatbridge_retried_total{integration=\"busy\"} 1.0"));
                assertTrue(metrics.contains("threatbridge_rate_limited_total{integration=\"busy\"} 1.0"));

                // the same MBean through Jolokia, as Hawtio reads it
                String jolokia = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + bridge.managementPort
                                + "/observe/jolokia/read/threatbridge:type=Integration,name=ok/Delivered")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(jolokia.contains("\"value\":2"), jolokia);
            }
        } finally {
            jmxServer.stop();
        }
    }
}
