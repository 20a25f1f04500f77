package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.threatbridge.LiveDelivery.event;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Live delivery, Azure AD tokens through real msal4j: one token per tenant and audience serves many
 * calls, and a token Defender refuses is renewed once. WireMock fakes, the embedded broker and the H2
 * store (LiveDelivery). That no secret or token is ever logged: LogLeakTest.
 */
class LiveTokensTest {

    @RegisterExtension
    static final LiveDelivery live = new LiveDelivery("expired", "bulk", "slow");

    @Test
    void aRefusedTokenIsRenewedOnceAndTheCallRetried() throws Exception {
        live.microsoft().stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs(STARTED).willSetStateTo("renewed").willReturn(FakeMicrosoft.status(401)));
        live.microsoft().stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs("renewed").willReturn(okJson("{\"id\":\"da-expired-1\"}")));
        live.bridge().send(event("expired-1", "expired", "thr-expired", "ACTIVE"));
        await().until(() -> live.bridge().store().isDone("expired", "expired-1"));
        assertEquals(2, live.microsoft().tokenRequests("tenant-expired", MicrosoftRules.DEFENDER_AUDIENCE).size(), "one token, then one fresh token");
        List<LoggedRequest> creates = live.microsoft().creates("/expired");
        assertEquals(2, creates.size());
        assertFalse(creates.get(0).getHeader("Authorization").equals(creates.get(1).getHeader("Authorization")), "the retry carries the new token");
    }

    /**
     * Azure AD's answer is awaited no longer than any Microsoft API's (bridge.http.response-timeout-ms,
     * 1.5 s in LiveDelivery): a token request left unanswered fails, and the event is tried again.
     * The bridge fetched the tenant's tokens at start (bridge.auth.warm-up-integrations), so Defender
     * refuses the first create (401) to make it ask Azure AD again.
     */
    @Test
    void anUnansweredTokenRequestEndsAtTheResponseTimeoutAndTheEventIsRetried() throws Exception {
        await().until(() -> live.microsoft().tokenRequests("tenant-slow").size() == 2);
        live.microsoft().acceptAlerts("/slow");
        live.microsoft().stub(post(urlEqualTo("/slow/api/alerts/CreateAlertByReference")).atPriority(1).inScenario("slow create")
                .whenScenarioStateIs(STARTED).willSetStateTo("refused").willReturn(FakeMicrosoft.status(401)));
        live.microsoft().stub(post(urlEqualTo("/tenant-slow/oauth2/v2.0/token")).atPriority(1).inScenario("slow token")
                .whenScenarioStateIs(STARTED).willSetStateTo("answering")
                .willReturn(FakeMicrosoft.status(503).withFixedDelay(20_000)));
        live.bridge().send(event("slow-1", "slow", "thr-slow", "ACTIVE"));
        // well before the 20 s the unanswered request is held
        await().atMost(Duration.ofSeconds(10)).until(() -> live.bridge().store().isDone("slow", "slow-1"));
        assertEquals(3, live.microsoft().tokenRequests("tenant-slow", MicrosoftRules.DEFENDER_AUDIENCE).size(),
                "at start; after the 401, unanswered; once more");
        assertEquals(2, live.microsoft().creates("/slow").size(), "refused, then made");
    }

    @Test
    void oneTokenServesTwoHundredAlertsOfOneTenant() throws Exception {
        live.microsoft().acceptAlerts("/bulk");
        for (int i = 0; i < 200; i++) {
            live.bridge().send(event("bulk-" + i, "bulk", "thr-bulk-" + i, "ACTIVE"));
        }
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> live.bridge().store().isDone("bulk", "bulk-199")
                && live.microsoft().creates("/bulk").size() == 200);
        assertEquals(1, live.microsoft().tokenRequests("tenant-bulk", MicrosoftRules.DEFENDER_AUDIENCE).size());
        assertEquals(1, live.microsoft().tokenRequests("tenant-bulk", MicrosoftRules.GRAPH_AUDIENCE).size(), "and one for hunting");
        assertEquals(1, live.microsoft().huntingCalls("tenant-bulk").size(), "one hunting call for the device: its anchor is reused");
        assertNull(live.bridge().receive("threats.dlq", "bridgeIntegration = 'bulk'", 100));
    }
}
