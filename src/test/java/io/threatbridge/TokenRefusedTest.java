package io.threatbridge;

import jakarta.jms.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * interface.md section 5: "401: get a new token once, then retry". A tenant that refuses every
 * token (consent withdrawn) must end the event on the dead-letter queue after that one retry, not
 * loop: Camel counts its redeliveries in a message header, which the delivery must not remove.
 */
class TokenRefusedTest {

    @TempDir
    Path dir;

    @Test
    void aSecond401IsADeadLetterAfterOneFreshToken() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            microsoft.acceptAlerts("/r");
            microsoft.stubCreate("/r", FakeMicrosoft.status(401), 1);
            Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
            String yaml = "integrations:\n" + FakeMicrosoft.integration("r", "tenant-r", "acme", microsoft.baseUrl() + "/r");
            try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
                bridge.send(Events.event("r-1", "acme", "thr-r", "CRITICAL", "ACTIVE").toString());
                Message dead = bridge.receive("threats.dlq", 30_000);
                assertNotNull(dead, "a tenant that refuses every token ends the event on the dead-letter queue");
                assertEquals(401, dead.getIntProperty("bridgeHttpStatus"));
                assertTrue(dead.getStringProperty("bridgeError").startsWith("Defender answered 401"), dead.getStringProperty("bridgeError"));
                assertEquals(2, microsoft.creates("/r").size(), "the create, and one more with a fresh token");
                assertEquals(2, microsoft.tokenRequests("tenant-r", MicrosoftRules.DEFENDER_AUDIENCE).size(), "one token, one fresh one");
            }
        }
    }
}
