package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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

    @TempDir
    static Path dir;
    static FakeMicrosoft microsoft;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        microsoft = new FakeMicrosoft();
        bridge = LiveDelivery.start(dir, microsoft, "expired", "bulk");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            bridge.close();
        } finally {
            microsoft.close();
        }
    }

    @Test
    void aRefusedTokenIsRenewedOnceAndTheCallRetried() throws Exception {
        microsoft.stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs(STARTED).willSetStateTo("renewed").willReturn(FakeMicrosoft.status(401)));
        microsoft.stub(post(urlEqualTo("/expired/api/alerts/CreateAlertByReference")).inScenario("expired")
                .whenScenarioStateIs("renewed").willReturn(okJson("{\"id\":\"da-expired-1\"}")));
        bridge.send(event("expired-1", "expired", "thr-expired", "ACTIVE"));
        await().until(() -> bridge.store().isDone("expired", "expired-1"));
        assertEquals(2, microsoft.tokenRequests("tenant-expired", MicrosoftRules.DEFENDER_AUDIENCE).size(), "one token, then one fresh token");
        List<LoggedRequest> creates = microsoft.creates("/expired");
        assertEquals(2, creates.size());
        assertFalse(creates.get(0).getHeader("Authorization").equals(creates.get(1).getHeader("Authorization")), "the retry carries the new token");
    }

    @Test
    void oneTokenServesTwoHundredAlertsOfOneTenant() throws Exception {
        microsoft.acceptAlerts("/bulk");
        for (int i = 0; i < 200; i++) {
            bridge.send(event("bulk-" + i, "bulk", "thr-bulk-" + i, "ACTIVE"));
        }
        await().atMost(java.time.Duration.ofSeconds(60)).until(() -> bridge.store().isDone("bulk", "bulk-199")
                && microsoft.creates("/bulk").size() == 200);
        assertEquals(1, microsoft.tokenRequests("tenant-bulk", MicrosoftRules.DEFENDER_AUDIENCE).size());
        assertEquals(1, microsoft.tokenRequests("tenant-bulk", MicrosoftRules.GRAPH_AUDIENCE).size(), "and one for hunting");
        assertEquals(1, microsoft.huntingCalls("tenant-bulk").size(), "one hunting call for the device: its anchor is reused");
        assertNull(bridge.receive("threats.dlq", "bridgeIntegration = 'bulk'", 100));
    }
}
