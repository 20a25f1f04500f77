package io.threatbridge;

import io.threatbridge.ops.Operations;
import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bridge.log.mask-emails: an e-mail address quoted back by Defender or found in a bad event shows
 * masked in the log, the dead-letter and invalid-queue reasons and the integration's LastError,
 * while the alert sent to Defender and the original body keep it.
 */
class EmailMaskingTest {

    private static final String EMAIL = "ann@contoso.com";

    @TempDir
    Path dir;

    private static Map<String, String> settings(FakeMicrosoft microsoft, boolean mask) {
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.log.mask-emails", String.valueOf(mask));
        return settings;
    }

    private static void refuseNamingTheUser(FakeMicrosoft microsoft) {
        microsoft.stubCreate("/echo", aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"InvalidInput\",\"message\":\"user " + EMAIL + " is unknown\"}}"), 1);
    }

    @Test
    void addressesAreMaskedEverywhereAnOperatorLooks() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft(); LogCapture log = new LogCapture()) {
            refuseNamingTheUser(microsoft);
            String yaml = "integrations:\n" + FakeMicrosoft.integration("echo", "tenant-echo", "acct-echo", microsoft.baseUrl() + "/echo");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings(microsoft, true))) {
                String event = Events.event("mask-1", "acct-echo", "thr-mask-1", "CRITICAL", "ACTIVE").toString();
                assertTrue(event.contains(EMAIL), "the test event names the user");
                bridge.send(event);
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead);
                assertEquals("Defender answered 400: InvalidInput user a***@contoso.com is unknown", dead.getStringProperty("bridgeError"));
                assertEquals(event, BridgeHarness.text(dead), "the original body is kept whole");
                assertTrue(microsoft.creates("/echo").get(0).getBodyAsString().contains(EMAIL), "Defender gets the address");
                Operations operations = bridge.camel().getRegistry().lookupByNameAndType("operations", Operations.class);
                assertEquals("Defender answered 400: InvalidInput user a***@contoso.com is unknown", operations.of("echo").getLastError());

                bridge.send(Events.event("mask-2", EMAIL, "thr-mask-2", "CRITICAL", "ACTIVE").toString());
                Message invalid = bridge.receive("threats.invalid", 30_000);
                assertNotNull(invalid);
                assertTrue(invalid.getStringProperty("bridgeError").startsWith("accountId: 'a***@contoso.com' is not an account"),
                        invalid.getStringProperty("bridgeError"));
            }
            assertTrue(log.text().contains("a***@contoso.com"), "the failures were logged");
            assertFalse(log.text().contains(EMAIL), "no log line holds the address");
        }
    }

    @Test
    void maskingCanBeTurnedOff() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            refuseNamingTheUser(microsoft);
            String yaml = "integrations:\n" + FakeMicrosoft.integration("echo", "tenant-echo", "acct-echo", microsoft.baseUrl() + "/echo");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings(microsoft, false))) {
                bridge.send(Events.event("plain-1", "acct-echo", "thr-plain-1", "CRITICAL", "ACTIVE").toString());
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead);
                assertEquals("Defender answered 400: InvalidInput user " + EMAIL + " is unknown", dead.getStringProperty("bridgeError"));
            } finally {
                io.threatbridge.logging.EmailMask.enable(true);
            }
        }
    }
}
