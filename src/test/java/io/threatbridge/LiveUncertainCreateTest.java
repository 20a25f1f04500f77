package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.microsoft.EndpointAlerts;
import io.threatbridge.event.EventValidator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static io.threatbridge.LiveDelivery.event;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live delivery, a create whose answer was never recorded (docs/reliability.md, "Uncertain calls"):
 * settled by looking its alert up, never by creating again, and only once it cannot be answered any
 * more. Real msal4j and HTTPS to WireMock fakes, the embedded broker and the H2 store (LiveDelivery).
 */
class LiveUncertainCreateTest {

    @TempDir
    static Path dir;
    static FakeMicrosoft microsoft;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        microsoft = new FakeMicrosoft();
        bridge = LiveDelivery.start(dir, microsoft, "lost", "inflight");
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
    void anUnansweredCreateIsSettledByLookingTheAlertUpNotByCreatingAgain() throws Exception {
        String active = event("lost-1", "lost", "thr-lost", "ACTIVE");
        // Defender makes the alert but its answer never arrives in time
        microsoft.stubCreate("/lost", okJson("{\"id\":\"da-lost\"}").withFixedDelay(4000), 1);
        String description = new EndpointAlerts().createRequest(new EventValidator().validate(active), microsoft.sampleAnchor("tenant-lost"))
                .body().get("description").asText();
        microsoft.stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/lost/api/alerts"))
                .willReturn(okJson(new ObjectMapper().createObjectNode().set("value", new ObjectMapper().createArrayNode()
                        .add(new ObjectMapper().createObjectNode().put("id", "da-other").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", "Event id: someone-else"))
                        .add(new ObjectMapper().createObjectNode().put("id", "da-lost").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", description))).toString())));
        bridge.send(active);
        await().until(() -> bridge.store().isDone("lost", "lost-1"));
        assertEquals("da-lost", bridge.store().alertId("lost", "thr-lost"));
        assertEquals(1, microsoft.creates("/lost").size(), "the unanswered create is not sent again");
        LoggedRequest lookup = microsoft.calls("/lost").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        assertTrue(lookup.queryParameter("$filter").firstValue().startsWith("alertCreationTime ge "), lookup.getUrl());
    }

    @Test
    void aCreateAnotherInstanceMayStillBeSendingIsLookedUpOnlyOnceItCannotBeAnsweredAnyMore() throws Exception {
        String active = event("inflight-1", "inflight", "thr-inflight", "ACTIVE");
        microsoft.acceptAlerts("/inflight");
        microsoft.stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/inflight/api/alerts"))
                .willReturn(okJson("{\"value\":[{\"id\":\"da-inflight\",\"machineId\":\"1e5bc9d7e413ddd7902c2932e418702b84d0cc07\","
                        + "\"description\":\"Event id: inflight-0\"}]}")));
        // an instance that has just died sent this create: its answer may come for 1 + 1.5 s (time-outs) + 2 s (clocks)
        long sentAt = System.currentTimeMillis();
        bridge.store().beginCreate("inflight", "acct-inflight", "thr-inflight", "inflight-0", "endpoint");
        bridge.send(active);
        bridge.send(event("inflight-2", "inflight", "thr-inflight-2", "ACTIVE"));
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> bridge.store().isDone("inflight", "inflight-1"));
        assertEquals("da-inflight", bridge.store().alertId("inflight", "thr-inflight"), "the alert the other instance made");
        List<LoggedRequest> creates = microsoft.creates("/inflight");
        assertEquals(1, creates.size(), "only the other threat's create: " + creates);
        LoggedRequest lookup = microsoft.calls("/inflight").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        long lookedUpAfter = lookup.getLoggedDate().getTime() - sentAt;
        assertTrue(lookedUpAfter >= 4400, "looked up " + lookedUpAfter + " ms after the create was sent");
        assertTrue(creates.get(0).getLoggedDate().getTime() < lookup.getLoggedDate().getTime(),
                "the integration's other threats went on meanwhile");
    }
}
