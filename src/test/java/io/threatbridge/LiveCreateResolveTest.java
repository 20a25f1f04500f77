package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.threatbridge.microsoft.EndpointAlerts;
import io.threatbridge.event.EventValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static io.threatbridge.LiveDelivery.event;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live delivery (interface.md section 5), creates and resolves: through real msal4j and real HTTPS to
 * WireMock fakes of Azure AD and Defender, with the embedded broker and the H2 store (LiveDelivery).
 * The delivery decisions themselves have fast route tests: io.threatbridge.routes.
 */
class LiveCreateResolveTest {

    @RegisterExtension
    static final LiveDelivery live = new LiveDelivery("rt");

    @Test
    void createThenResolveCarriesTheAlertIdAndOnlyTheHeadersDefenderNeeds() throws Exception {
        live.microsoft().acceptAlerts("/rt");
        String active = event("rt-1", "rt", "thr-rt", "ACTIVE");
        live.bridge().send(active);
        await().until(() -> live.bridge().store().isDone("rt", "rt-1"));
        LoggedRequest create = live.microsoft().creates("/rt").get(0);
        assertTrue(create.getHeader("Authorization").startsWith("Bearer eyJ-issued-token-"));
        assertTrue(create.getHeader("Content-Type").startsWith("application/json"));
        for (HttpHeader header : create.getHeaders().all()) {
            String name = header.key().toLowerCase();
            assertFalse(name.startsWith("jms") || name.startsWith("camel") || name.startsWith("bridge") || name.startsWith("_amq"),
                    "no JMS or Camel header reaches Defender: " + header.key());
        }
        ObjectMapper json = new ObjectMapper();
        // made on the sample device's event that hunting found, not on the vendor's event id and time
        assertEquals(new EndpointAlerts().createRequest(new EventValidator().validate(active), live.microsoft().sampleAnchor("tenant-rt")).body(),
                json.readTree(create.getBodyAsString()));

        String alertId = live.bridge().store().alertId("rt", "thr-rt");
        assertTrue(alertId.startsWith("da"), alertId);
        live.bridge().send(event("rt-2", "rt", "thr-rt", "RESOLVED"));
        await().until(() -> live.bridge().store().isDone("rt", "rt-2"));
        List<LoggedRequest> calls = live.microsoft().calls("/rt");
        assertEquals(2, calls.size(), "one create, one resolve");
        LoggedRequest patch = calls.stream().filter(r -> r.getMethod().getName().equals("PATCH")).findFirst().orElseThrow();
        assertEquals("/rt/api/alerts/" + alertId, patch.getUrl(), "the resolve patches the alert the create returned");
        assertEquals("Resolved", json.readTree(patch.getBodyAsString()).get("status").asText());
    }
}
