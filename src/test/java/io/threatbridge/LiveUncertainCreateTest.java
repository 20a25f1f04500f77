package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.microsoft.EndpointAlerts;
import io.threatbridge.event.EventValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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

    @RegisterExtension
    static final LiveDelivery live = new LiveDelivery("lost", "inflight");

    @Test
    void anUnansweredCreateIsSettledByLookingTheAlertUpNotByCreatingAgain() throws Exception {
        String active = event("lost-1", "lost", "thr-lost", "ACTIVE");
        // Defender makes the alert but its answer never arrives in time
        live.microsoft().stubCreate("/lost", okJson("{\"id\":\"da-lost\"}").withFixedDelay(4000), 1);
        String description = new EndpointAlerts().createRequest(new EventValidator().validate(active), live.microsoft().sampleAnchor("tenant-lost"))
                .body().get("description").asText();
        live.microsoft().stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/lost/api/alerts"))
                .willReturn(okJson(new ObjectMapper().createObjectNode().set("value", new ObjectMapper().createArrayNode()
                        .add(new ObjectMapper().createObjectNode().put("id", "da-other").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", "Event id: someone-else"))
                        .add(new ObjectMapper().createObjectNode().put("id", "da-lost").put("machineId", "1e5bc9d7e413ddd7902c2932e418702b84d0cc07")
                                .put("description", description))).toString())));
        live.bridge().send(active);
        await().until(() -> live.bridge().store().isDone("lost", "lost-1"));
        assertEquals("da-lost", live.bridge().store().alertId("lost", "thr-lost"));
        assertEquals(1, live.microsoft().creates("/lost").size(), "the unanswered create is not sent again");
        LoggedRequest lookup = live.microsoft().calls("/lost").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        assertTrue(lookup.queryParameter("$filter").firstValue().startsWith("alertCreationTime ge "), lookup.getUrl());
    }

    @Test
    void aCreateAnotherInstanceMayStillBeSendingIsLookedUpOnlyOnceItCannotBeAnsweredAnyMore() throws Exception {
        String active = event("inflight-1", "inflight", "thr-inflight", "ACTIVE");
        live.microsoft().acceptAlerts("/inflight");
        live.microsoft().stub(com.github.tomakehurst.wiremock.client.WireMock.get(com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/inflight/api/alerts"))
                .willReturn(okJson("{\"value\":[{\"id\":\"da-inflight\",\"machineId\":\"1e5bc9d7e413ddd7902c2932e418702b84d0cc07\","
                        + "\"description\":\"Event id: inflight-0\"}]}")));
        // an instance that has just died sent this create: its answer may come for 1 + 1.5 s (time-outs) + 2 s (clocks)
        long sentAt = System.currentTimeMillis();
        live.bridge().store().beginCreate("inflight", "acct-inflight", "thr-inflight", "inflight-0", "endpoint");
        live.bridge().send(active);
        live.bridge().send(event("inflight-2", "inflight", "thr-inflight-2", "ACTIVE"));
        await().atMost(java.time.Duration.ofSeconds(20)).until(() -> live.bridge().store().isDone("inflight", "inflight-1"));
        assertEquals("da-inflight", live.bridge().store().alertId("inflight", "thr-inflight"), "the alert the other instance made");
        List<LoggedRequest> creates = live.microsoft().creates("/inflight");
        assertEquals(1, creates.size(), "only the other threat's create: " + creates);
        LoggedRequest lookup = live.microsoft().calls("/inflight").stream().filter(r -> r.getMethod().getName().equals("GET")).findFirst().orElseThrow();
        long lookedUpAfter = lookup.getLoggedDate().getTime() - sentAt;
        assertTrue(lookedUpAfter >= 4400, "looked up " + lookedUpAfter + " ms after the create was sent");
        assertTrue(creates.get(0).getLoggedDate().getTime() < lookup.getLoggedDate().getTime(),
                "the integration's other threats went on meanwhile");
    }
}
