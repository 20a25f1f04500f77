package io.threatbridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live bridge of the LiveDelivery*Test classes and of LogLeakTest: real msal4j and real HTTPS
 * to WireMock fakes of Azure AD and Defender (FakeMicrosoft), the embedded broker and the H2 store,
 * with short retries and time-outs. Each class declares only the integrations its tests use: each
 * named integration has tenant tenant-NAME, account acct-NAME and its Defender API under /NAME.
 * A test class registers one ({@code @RegisterExtension static final LiveDelivery live = new
 * LiveDelivery("a", "b")}): started before its first test, closed after its last.
 */
final class LiveDelivery implements BeforeAllCallback, AfterAllCallback {

    private final String[] integrations;
    private Path dir;
    private FakeMicrosoft microsoft;
    private BridgeHarness bridge;

    LiveDelivery(String... integrations) {
        this.integrations = integrations;
    }

    FakeMicrosoft microsoft() {
        return microsoft;
    }

    BridgeHarness bridge() {
        return bridge;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("live-delivery");
        microsoft = new FakeMicrosoft();
        bridge = start(dir, microsoft, integrations);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (bridge != null) {
                bridge.close();
            }
        } finally {
            microsoft.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            } catch (IOException ignored) {
                // a temporary directory left behind
            }
        }
    }

    static BridgeHarness start(Path dir, FakeMicrosoft microsoft, String... integrations) throws Exception {
        String base = microsoft.baseUrl();
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (String name : integrations) {
            yaml.append(FakeMicrosoft.integration(name, "tenant-" + name, "acct-" + name, base + "/" + name));
        }
        Map<String, String> settings = new HashMap<>(microsoft.liveSettings());
        settings.put("bridge.delivery.max-attempts", "4");
        settings.put("bridge.delivery.initial-delay-ms", "200");
        settings.put("bridge.delivery.max-delay-ms", "1000");
        settings.put("bridge.http.response-timeout-ms", "1500");
        settings.put("bridge.http.connect-timeout-ms", "1000");
        settings.put("bridge.defender.create-per-minute", "0"); // pacing has a test of its own
        microsoft.rules.withoutQuotas();
        return BridgeHarness.start(dir, yaml.toString(), settings);
    }

    /** A critical event of the integration's account. */
    static String event(String id, String integration, String threat, String status) {
        return Events.event(id, "acct-" + integration, threat, "CRITICAL", status).toString();
    }

    /** Every access token the fake Azure AD issued. */
    static List<String> issuedTokens(FakeMicrosoft microsoft) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> tokens = new ArrayList<>();
        for (ServeEvent event : microsoft.server.getAllServeEvents()) {
            if (event.getRequest().getUrl().endsWith("/oauth2/v2.0/token")) {
                tokens.add(json.readTree(event.getResponse().getBodyAsString()).get("access_token").asText());
            }
        }
        return tokens;
    }
}
