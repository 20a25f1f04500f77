package io.threatbridge;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The other two ways to give the bridge its Azure AD credential: a secret file and a PKCS#12 certificate. */
class CredentialsTest {

    @TempDir
    Path dir;

    private LoggedRequest deliverOne(FakeMicrosoft microsoft, Map<String, String> credential) throws Exception {
        microsoft.acceptAlerts("/cr");
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.auth.client-secret", "");
        settings.putAll(credential);
        String yaml = "integrations:\n" + FakeMicrosoft.integration("cr", "tenant-cr", "acme", microsoft.baseUrl() + "/cr");
        try (BridgeHarness bridge = BridgeHarness.start(dir, yaml, settings)) {
            bridge.send(Events.event("cr-1", "acme", "thr-cr", "CRITICAL", "ACTIVE").toString());
            await().until(() -> bridge.store().isDone("cr", "cr-1"));
        }
        return microsoft.tokenRequests("tenant-cr").get(0);
    }

    @Test
    void secretFromAFile() throws Exception {
        Path secret = dir.resolve("client-secret");
        Files.writeString(secret, FakeMicrosoft.CLIENT_SECRET + "\n");
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            String body = deliverOne(microsoft, Map.of("bridge.auth.client-secret-file", secret.toString())).getBodyAsString();
            assertTrue(body.contains("client_secret=" + java.net.URLEncoder.encode(FakeMicrosoft.CLIENT_SECRET, "UTF-8")), "the file's secret, without its newline");
        }
    }

    @Test
    void certificateInsteadOfASecret() throws Exception {
        try (FakeMicrosoft microsoft = new FakeMicrosoft()) {
            String body = deliverOne(microsoft, Map.of(
                    "bridge.auth.certificate-file", Path.of("src/test/resources/tls/server.p12").toAbsolutePath().toString(),
                    "bridge.auth.certificate-password", "changeit")).getBodyAsString();
            assertTrue(body.contains("client_assertion="), "a signed assertion");
            assertFalse(body.contains("client_secret"));
        }
    }
}
