package io.threatbridge;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.Extension;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

/**
 * Azure AD's token endpoint, Defender for Endpoint's API, Graph's security alerts and advanced
 * hunting, faked by WireMock over HTTPS with the test certificate (src/test/resources/tls), with the
 * rules of the real services ({@link MicrosoftRules}: token audiences, the 404 for an event Defender
 * does not hold, title merging, quotas). Each integration in a test gets its own path prefix as its
 * apiUrl, so its Defender calls can be counted apart; Graph and hunting have one base URL each
 * (bridge.graph.api-url, bridge.hunting.api-url) and tell tenants apart by the token.
 */
public final class FakeMicrosoft implements AutoCloseable {

    public static final String CLIENT_ID = "3f1c2d4e-threat-bridge-test-app";
    public static final String CLIENT_SECRET = "s3cr3t-Value~never-in-a-log";
    public static final String GRAPH_BASE = "/beta";
    public static final String HUNTING_BASE = "/v1.0";
    public static final String GRAPH_CREATE = GRAPH_BASE + "/security/alerts_v2/createAlert";
    public static final String HUNTING = HUNTING_BASE + "/security/runHuntingQuery";

    public final WireMockServer server;
    public final MicrosoftRules rules = new MicrosoftRules(CLIENT_ID, CLIENT_SECRET);

    public FakeMicrosoft(Extension... extensions) {
        this(true, extensions);
    }

    /** @param journal false for benchmarks: a journal of every request would grow without end */
    public FakeMicrosoft(boolean journal, Extension... extensions) {
        List<Extension> all = new ArrayList<>(List.of(extensions));
        all.add(rules);
        server = FakeHttps.start(journal, all.toArray(Extension[]::new));
        // every tenant's token endpoint issues tokens for the scope's audience; hunting is always there
        server.stubFor(post(urlPathMatching("/[^/]+/oauth2/v2.0/token")).atPriority(10)
                .willReturn(aResponse().withTransformers(rules.getName())));
        server.stubFor(post(urlEqualTo(HUNTING)).atPriority(10).willReturn(aResponse().withTransformers(rules.getName())));
    }

    public String baseUrl() {
        return "https://127.0.0.1:" + server.httpsPort();
    }

    /** The settings that point a bridge at this fake, in live mode. */
    public Map<String, String> liveSettings() {
        return Map.of(
                "bridge.auth.client-id", CLIENT_ID,
                "bridge.auth.client-secret", CLIENT_SECRET,
                "bridge.auth.authority-url", baseUrl(),
                "bridge.defender.api-url", baseUrl(),
                "bridge.graph.api-url", baseUrl() + GRAPH_BASE,
                "bridge.hunting.api-url", baseUrl() + HUNTING_BASE);
    }

    /** Defender for Endpoint under this apiUrl prefix answers by the rules (creates on held events, resolves, lists). */
    public void acceptAlerts(String prefix) {
        server.stubFor(any(urlPathMatching(prefix + "/api/alerts.*")).atPriority(5).willReturn(aResponse().withTransformers(rules.getName())));
    }

    /** Graph's security alerts answer by the rules: createAlert 201 with a fresh id, a PATCH the resolved alert. */
    public void acceptGraphAlerts() {
        server.stubFor(any(urlPathMatching(GRAPH_BASE + "/security/alerts_v2.*")).atPriority(5)
                .willReturn(aResponse().withTransformers(rules.getName())));
    }

    /** The anchor hunting gives for the sample device in the tenant now: what a create on it must name. */
    public io.threatbridge.microsoft.Anchor sampleAnchor(String tenant) {
        MicrosoftRules.DeviceEvent event = rules.latestEvent(tenant, MicrosoftRules.SAMPLE_MACHINE);
        return new io.threatbridge.microsoft.Anchor(MicrosoftRules.SAMPLE_MACHINE, event.timestamp(), String.valueOf(event.reportId()));
    }

    /** The createAlert calls made with a token of this tenant. */
    public List<LoggedRequest> graphCreates(String tenant) {
        return server.findAll(postRequestedFor(urlEqualTo(GRAPH_CREATE))).stream().filter(r -> ofTenant(r, tenant)).toList();
    }

    /** The hunting calls made with a token of this tenant. */
    public List<LoggedRequest> huntingCalls(String tenant) {
        return server.findAll(postRequestedFor(urlEqualTo(HUNTING))).stream().filter(r -> ofTenant(r, tenant)).toList();
    }

    private boolean ofTenant(LoggedRequest request, String tenant) {
        MicrosoftRules.Grant grant = rules.grant(request.getHeader("Authorization"));
        return grant != null && grant.tenant().equals(tenant);
    }

    public void stubCreate(String prefix, ResponseDefinitionBuilder response, int priority) {
        server.stubFor(post(urlEqualTo(prefix + "/api/alerts/CreateAlertByReference")).atPriority(priority).willReturn(response));
    }

    public void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    public static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"code\":\"Test" + status + "\",\"message\":\"fake answer " + status + "\"}}");
    }

    public List<LoggedRequest> creates(String prefix) {
        return server.findAll(postRequestedFor(urlEqualTo(prefix + "/api/alerts/CreateAlertByReference")));
    }

    public List<LoggedRequest> calls(String prefix) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(urlPathMatching(prefix + "/api/.*")));
    }

    public List<LoggedRequest> tokenRequests(String tenant) {
        return server.findAll(postRequestedFor(urlEqualTo("/" + tenant + "/oauth2/v2.0/token")));
    }

    /** The token requests of a tenant for one resource's scope (msal4j adds openid, profile and offline_access). */
    public List<LoggedRequest> tokenRequests(String tenant, String audience) {
        String scope = audience + "/.default";
        return tokenRequests(tenant).stream().filter(r -> java.util.Arrays.stream(r.getBodyAsString().split("&"))
                .filter(field -> field.startsWith("scope="))
                .anyMatch(field -> java.util.List.of(java.net.URLDecoder.decode(field.substring(6), java.nio.charset.StandardCharsets.UTF_8)
                        .split(" ")).contains(scope))).toList();
    }

    /** An integration with the default `api: auto`: Defender for Endpoint at {@code apiUrl} for managed devices. */
    public static String integration(String name, String tenant, String account, String apiUrl) {
        return "  - name: " + name + "\n    tenantId: " + tenant + "\n    accounts: [" + account + "]\n"
                + "    filterLevel: NORMAL_AND_ABOVE\n    apiUrl: " + apiUrl + "\n";
    }

    /** An integration with `api: graph`. */
    public static String graphIntegration(String name, String tenant, String account) {
        return "  - name: " + name + "\n    tenantId: " + tenant + "\n    accounts: [" + account + "]\n"
                + "    filterLevel: NORMAL_AND_ABOVE\n    api: graph\n";
    }

    @Override
    public void close() {
        server.stop();
    }
}
