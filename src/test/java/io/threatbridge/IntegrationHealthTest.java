package io.threatbridge;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tenant whose recent deliveries all failed shows on /observe/health by name, FAILING and with
 * the last error, while /observe/health answers 200 and readiness stays UP (interface.md section 1:
 * one integration's trouble never makes either 503), and it turns UP again by itself.
 */
class IntegrationHealthTest {

    @TempDir
    Path dir;

    @Test
    void aFailingTenantIsReportedWithoutTakingTheBridgeOutOfService() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/sick");
            microsoft.acceptAlerts("/well");
            StubMapping outage = microsoft.server.stubFor(post(urlEqualTo("/sick/api/alerts/CreateAlertByReference"))
                    .atPriority(1).willReturn(FakeMicrosoft.status(503)));
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            settings.put("bridge.health.integration-failures", "3");
            settings.put("bridge.delivery.initial-delay-ms", "100");
            settings.put("bridge.delivery.max-delay-ms", "200");
            settings.put("bridge.defender.create-per-minute", "0");
            String yaml = "integrations:\n" + FakeMicrosoft.integration("sick", "tenant-sick", "acct-sick", microsoft.baseUrl() + "/sick")
                    + FakeMicrosoft.integration("well", "tenant-well", "acct-well", microsoft.baseUrl() + "/well");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                await().until(() -> bridge.observe("health").statusCode() == 200);

                bridge.send(Events.event("sick-1", "acct-sick", "thr-sick-1", "CRITICAL", "ACTIVE").toString());
                // interface.md section 1: the tenant shows by name in the details, the answer stays 200
                await().atMost(Duration.ofSeconds(30)).until(() -> bridge.observe("health").body().contains("FAILING"));
                HttpResponse<String> whole = bridge.observe("health");
                String health = whole.body();
                assertEquals(200, whole.statusCode(), health);
                assertTrue(health.contains("integration-sick"), health);
                assertTrue(health.contains("Defender answered 503"), health);
                assertFalse(health.contains("\"DOWN\""), "no check of the bridge itself is DOWN: " + health);
                HttpResponse<String> ready = bridge.observe("health/ready");
                assertEquals(200, ready.statusCode(), ready.body());

                bridge.send(Events.event("well-1", "acct-well", "thr-well-1", "CRITICAL", "ACTIVE").toString());
                await().until(() -> bridge.store().isDone("well", "well-1"));
                assertTrue(bridge.observe("health").body().contains("FAILING"), "one tenant delivering does not hide the other's failure");

                microsoft.server.removeStub(outage);
                await().atMost(Duration.ofSeconds(45)).until(() -> bridge.store().isDone("sick", "sick-1"));
                await().until(() -> !bridge.observe("health").body().contains("FAILING"));
            }
        }
    }
}
