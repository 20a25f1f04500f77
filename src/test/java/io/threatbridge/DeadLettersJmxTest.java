package io.threatbridge;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** threatbridge:type=DeadLetters: count, list, purge, and a replay that ends in a delivered alert. */
class DeadLettersJmxTest {

    @TempDir
    Path dir;

    @Test
    void listPurgeAndReplayDeadLetters() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            // Defender refuses the first three creates, then accepts
            String[] states = {STARTED, "one", "two", "three"};
            for (int i = 0; i < 3; i++) {
                microsoft.stub(post(urlEqualTo("/dl/api/alerts/CreateAlertByReference")).inScenario("dl")
                        .whenScenarioStateIs(states[i]).willSetStateTo(states[i + 1]).willReturn(FakeMicrosoft.status(400)));
            }
            microsoft.stub(post(urlEqualTo("/dl/api/alerts/CreateAlertByReference")).inScenario("dl")
                    .whenScenarioStateIs("three").willReturn(okJson("{\"id\":\"da-replayed\"}")));
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.defender.create-per-minute", "0");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("dl", "tenant-dl", "acme", microsoft.baseUrl() + "/dl");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
                ObjectName deadLetters = new ObjectName("threatbridge:type=DeadLetters");
                // one at a time: four ingest consumers may otherwise queue them in any order
                long count = 0;
                for (String id : List.of("d-1", "d-2", "d-3")) {
                    bridge.send(Events.event(id, "acme", "thr-" + id, "CRITICAL", "ACTIVE").toString());
                    long expected = ++count;
                    await().until(() -> (Long) jmx.getAttribute(deadLetters, "Count") == expected);
                }
                String[] listed = (String[]) jmx.invoke(deadLetters, "list", new Object[]{2}, new String[]{"int"});
                assertArrayEquals(new String[]{
                        "d-1 dl: Defender answered 400: Test400 fake answer 400",
                        "d-2 dl: Defender answered 400: Test400 fake answer 400"}, listed);

                assertEquals(1, jmx.invoke(deadLetters, "purge", new Object[]{"d-2"}, new String[]{String.class.getName()}));
                assertEquals(2L, jmx.getAttribute(deadLetters, "Count"));

                assertEquals(1, jmx.invoke(deadLetters, "replay", new Object[]{"d-1"}, new String[]{String.class.getName()}));
                await().until(() -> bridge.store().isDone("dl", "d-1"));
                assertEquals("da-replayed", bridge.store().alertId("dl", "thr-d-1"));

                assertEquals(1, jmx.invoke(deadLetters, "replayAll", null, null));
                await().until(() -> bridge.store().isDone("dl", "d-3"));
                assertEquals(0L, jmx.getAttribute(deadLetters, "Count"));
                assertTrue(!bridge.store().isDone("dl", "d-2"), "purged, not delivered");
            }
        }
    }
}
