package io.threatbridge;

import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.threatbridge.LiveDelivery.event;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No client secret and no access token in any log line: a live bridge (real msal4j and HTTPS to the
 * WireMock fakes, LiveDelivery) runs a create and a resolve, a token Defender refuses and its renewal,
 * an outage retried, a throttled call, an answer that never comes in time, and a refusal that ends on
 * the dead-letter queue, from its start to its stop, with every line it logs captured (LogCapture).
 */
class LogLeakTest {

    @TempDir
    Path dir;

    @Test
    void noSecretOrTokenIsEverLogged() throws Exception {
        String output;
        List<String> tokens;
        try (LogCapture log = new LogCapture(); FakeMicrosoft microsoft = new FakeMicrosoft()) {
            try (BridgeHarness bridge = LiveDelivery.start(dir, microsoft, "leak", "leak-expired", "leak-down", "leak-slow", "leak-late",
                    "leak-bad")) {
                microsoft.acceptAlerts("/leak");
                // a token refused once (401), then the renewed one accepted
                microsoft.stub(post(urlEqualTo("/leak-expired/api/alerts/CreateAlertByReference")).inScenario("expired").atPriority(1)
                        .whenScenarioStateIs(STARTED).willSetStateTo("renewed").willReturn(FakeMicrosoft.status(401)));
                microsoft.acceptAlerts("/leak-expired");
                // an outage (503), then Defender back
                microsoft.stub(post(urlEqualTo("/leak-down/api/alerts/CreateAlertByReference")).inScenario("down").atPriority(1)
                        .whenScenarioStateIs(STARTED).willSetStateTo("back").willReturn(FakeMicrosoft.status(503)));
                microsoft.acceptAlerts("/leak-down");
                // a 429 with Retry-After, then Defender again
                microsoft.stub(post(urlEqualTo("/leak-slow/api/alerts/CreateAlertByReference")).inScenario("slow").atPriority(1)
                        .whenScenarioStateIs(STARTED).willSetStateTo("again").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")));
                microsoft.acceptAlerts("/leak-slow");
                // an answer after the response time-out (the call's exception is logged), then Defender in time
                microsoft.stub(post(urlEqualTo("/leak-late/api/alerts/CreateAlertByReference")).inScenario("late").atPriority(1)
                        .whenScenarioStateIs(STARTED).willSetStateTo("in-time").willReturn(okJson("{\"id\":\"da-late\"}").withFixedDelay(4000)));
                microsoft.acceptAlerts("/leak-late");
                // a refusal: the dead-letter queue
                microsoft.stubCreate("/leak-bad", FakeMicrosoft.status(400), 1);

                bridge.send(event("leak-1", "leak", "thr-leak", "ACTIVE"));
                bridge.send(event("expired-1", "leak-expired", "thr-expired", "ACTIVE"));
                bridge.send(event("down-1", "leak-down", "thr-down", "ACTIVE"));
                bridge.send(event("slow-1", "leak-slow", "thr-slow", "ACTIVE"));
                bridge.send(event("late-1", "leak-late", "thr-late", "ACTIVE"));
                bridge.send(event("bad-1", "leak-bad", "thr-bad", "ACTIVE"));
                await().atMost(Duration.ofSeconds(30)).until(() -> bridge.store().isDone("leak", "leak-1")
                        && bridge.store().isDone("leak-expired", "expired-1") && bridge.store().isDone("leak-down", "down-1")
                        && bridge.store().isDone("leak-slow", "slow-1") && bridge.store().isDone("leak-late", "late-1"));
                bridge.send(event("leak-2", "leak", "thr-leak", "RESOLVED"));
                Message dead = bridge.receive("threats.dlq", "bridgeIntegration = 'leak-bad'", 30_000);
                assertNotNull(dead);
                await().until(() -> bridge.store().isDone("leak", "leak-2"));
                assertEquals(2, microsoft.tokenRequests("tenant-leak-expired", MicrosoftRules.DEFENDER_AUDIENCE).size(),
                        "the refused token was renewed");
            }
            output = log.text();
            tokens = LiveDelivery.issuedTokens(microsoft);
        }
        // the paths ran, and were logged
        assertTrue(output.contains("dead letter leak-bad: event bad-1"), "the dead letter is logged");
        assertTrue(output.contains("leak-down: event down-1 attempt 1 failed"), "the retried outage is logged");
        assertTrue(output.contains("leak-late: event late-1 attempt 1 failed"), "the late answer is logged");
        assertTrue(output.contains("leak-slow: Defender answered 429"), "the throttled call is logged");

        assertFalse(output.isEmpty());
        assertFalse(output.contains(FakeMicrosoft.CLIENT_SECRET), "the client secret is never logged");
        assertFalse(tokens.isEmpty());
        for (String token : tokens) {
            assertFalse(output.contains(token), "an issued token is never logged");
        }
    }
}
