package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Collections;
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
 * Live delivery, failed calls: outages retried on the schedule and then dead-lettered, refusals
 * dead-lettered at once, the circuit of a tenant that keeps failing, Retry-After of a throttled one.
 * Real msal4j and HTTPS to WireMock fakes, the embedded broker and the H2 store (LiveDelivery).
 */
class LiveRetriesTest {

    @RegisterExtension
    static final LiveDelivery live = new LiveDelivery("breaker", "flaky", "down", "bad", "forbidden", "slow", "fast");

    @Test
    void aTenantThatKeepsFailingIsLeftAloneForAWhile() throws Exception {
        live.microsoft().stubCreate("/breaker", FakeMicrosoft.status(503), 1);
        live.bridge().send(event("breaker-1", "breaker", "thr-breaker-1", "ACTIVE"));
        live.bridge().send(event("breaker-2", "breaker", "thr-breaker-2", "ACTIVE"));
        await().until(() -> live.microsoft().creates("/breaker").size() >= 5);
        // five failures in a row open the circuit: the retries, due within a second, are held back
        await().during(java.time.Duration.ofSeconds(3)).atMost(java.time.Duration.ofSeconds(5))
                .until(() -> live.microsoft().creates("/breaker").size() == 5);
    }

    @Test
    void threeOutagesThenSuccessMakeOneAlert() throws Exception {
        for (int i = 0; i < 3; i++) {
            live.microsoft().stub(post(urlEqualTo("/flaky/api/alerts/CreateAlertByReference")).inScenario("flaky")
                    .whenScenarioStateIs(i == 0 ? STARTED : "failed-" + i).willSetStateTo("failed-" + (i + 1))
                    .willReturn(FakeMicrosoft.status(503)));
        }
        live.microsoft().stub(post(urlEqualTo("/flaky/api/alerts/CreateAlertByReference")).inScenario("flaky")
                .whenScenarioStateIs("failed-3").willReturn(okJson("{\"id\":\"da-flaky-1\"}")));
        live.bridge().send(event("flaky-1", "flaky", "thr-flaky", "ACTIVE"));
        await().until(() -> live.bridge().store().isDone("flaky", "flaky-1"));
        assertEquals("da-flaky-1", live.bridge().store().alertId("flaky", "thr-flaky"));
        assertEquals(4, live.microsoft().creates("/flaky").size());
    }

    @Test
    void anOutageLongerThanTheRetryBudgetEndsInTheDeadLetterQueue() throws Exception {
        live.microsoft().stubCreate("/down", FakeMicrosoft.status(503), 1);
        String body = event("down-1", "down", "thr-down", "ACTIVE");
        live.bridge().send(body);
        Message dead = live.bridge().receive("threats.dlq", "bridgeIntegration = 'down'", 30_000);
        assertNotNull(dead);
        assertEquals(503, dead.getIntProperty("bridgeHttpStatus"));
        assertTrue(dead.getStringProperty("bridgeError").startsWith("gave up after 4 attempts: Defender answered 503"), dead.getStringProperty("bridgeError"));
        assertEquals(body, BridgeHarness.text(dead), "original body");
        assertEquals(4, live.microsoft().creates("/down").size(), "live.bridge().delivery.max-attempts calls");
        assertFalse(live.bridge().store().isDone("down", "down-1"));
    }

    @Test
    void badRequestAndForbiddenGoToTheDeadLetterQueueAfterOneCall() throws Exception {
        live.microsoft().stubCreate("/bad", FakeMicrosoft.status(400), 1);
        live.microsoft().stubCreate("/forbidden", FakeMicrosoft.status(403), 1);
        live.bridge().send(event("bad-1", "bad", "thr-bad", "ACTIVE"));
        live.bridge().send(event("forbidden-1", "forbidden", "thr-forbidden", "ACTIVE"));
        Message bad = live.bridge().receive("threats.dlq", "bridgeIntegration = 'bad'", 30_000);
        Message forbidden = live.bridge().receive("threats.dlq", "bridgeIntegration = 'forbidden'", 30_000);
        assertEquals(400, bad.getIntProperty("bridgeHttpStatus"));
        assertEquals("Defender answered 400: Test400 fake answer 400", bad.getStringProperty("bridgeError"));
        assertEquals(403, forbidden.getIntProperty("bridgeHttpStatus"));
        assertEquals(1, live.microsoft().creates("/bad").size());
        assertEquals(1, live.microsoft().creates("/forbidden").size());
        for (String property : Collections.list((java.util.Enumeration<String>) bad.getPropertyNames())) {
            String value = String.valueOf(bad.getObjectProperty(property));
            assertFalse(value.contains("eyJ-issued-token") || value.contains(FakeMicrosoft.CLIENT_SECRET), property);
        }
    }

    @Test
    void aThrottledTenantWaitsForRetryAfterWhileAnotherGoesOn() throws Exception {
        live.microsoft().stub(post(urlEqualTo("/slow/api/alerts/CreateAlertByReference")).inScenario("slow")
                .whenScenarioStateIs(STARTED).willSetStateTo("throttled")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));
        live.microsoft().stub(post(urlEqualTo("/slow/api/alerts/CreateAlertByReference")).inScenario("slow")
                .whenScenarioStateIs("throttled").willReturn(okJson("{\"id\":\"da-slow\"}")));
        live.microsoft().acceptAlerts("/fast");
        live.bridge().send(event("slow-1", "slow", "thr-slow-1", "ACTIVE"));
        await().until(() -> live.microsoft().creates("/slow").size() == 1);
        long throttledAt = live.microsoft().creates("/slow").get(0).getLoggedDate().getTime();
        for (int i = 0; i < 5; i++) {
            live.bridge().send(event("fast-" + i, "fast", "thr-fast-" + i, "ACTIVE"));
        }
        await().until(() -> live.bridge().store().isDone("slow", "slow-1"));
        List<LoggedRequest> slow = live.microsoft().creates("/slow");
        assertEquals(2, slow.size());
        long retriedAt = slow.get(1).getLoggedDate().getTime();
        assertTrue(retriedAt - throttledAt >= 2000, "no call to the tenant before Retry-After: " + (retriedAt - throttledAt) + " ms");
        List<LoggedRequest> fast = live.microsoft().creates("/fast");
        assertEquals(5, fast.size());
        assertTrue(fast.stream().allMatch(r -> r.getLoggedDate().getTime() < throttledAt + 2000),
                "the other tenant's calls went on while the throttled one waited");
    }
}
