package io.threatbridge;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

/**
 * Azure AD's token endpoint and Defender's API, faked by WireMock over HTTPS with the test
 * certificate (src/test/resources/tls). Each integration in a test gets its own path prefix as its
 * apiUrl, so the calls of one integration can be counted apart from the others'.
 */
public final class FakeMicrosoft implements AutoCloseable {

    public static final String CLIENT_ID = "3f1c2d4e-threat-bridge-test-app";
    public static final String CLIENT_SECRET = "s3cr3t-Value~never-in-a-log";

    public final WireMockServer server;

    public FakeMicrosoft(com.github.tomakehurst.wiremock.extension.Extension... extensions) {
        this(true, extensions);
    }

    /** @param journal false for benchmarks: a journal of every request would grow without end */
    public FakeMicrosoft(boolean journal, com.github.tomakehurst.wiremock.extension.Extension... extensions) {
        com.github.tomakehurst.wiremock.core.WireMockConfiguration config = wireMockConfig();
        if (!journal) {
            config.disableRequestJournal();
        }
        server = new WireMockServer(config
                .extensions(extensions)
                .containerThreads(40)
                .httpDisabled(true)
                .dynamicHttpsPort()
                .bindAddress("127.0.0.1")
                .keystorePath(Path.of("src/test/resources/tls/server.p12").toAbsolutePath().toString())
                .keystorePassword("changeit")
                .keyManagerPassword("changeit")
                .keystoreType("PKCS12")
                .globalTemplating(true));
        server.start();
        // every tenant's token endpoint hands out a token named after the tenant and a counter
        server.stubFor(post(urlPathMatching("/[^/]+/oauth2/v2.0/token")).atPriority(10)
                .willReturn(okJson("{\"token_type\":\"Bearer\",\"expires_in\":3599,\"ext_expires_in\":3599,"
                        + "\"access_token\":\"eyJ-issued-token-{{randomValue length=24 type='ALPHANUMERIC'}}\"}")));
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
                "bridge.defender.api-url", baseUrl());
    }

    /** Creates succeed with a fresh alert id, resolves succeed, for integrations whose apiUrl ends in {@code prefix}. */
    public void acceptAlerts(String prefix) {
        server.stubFor(post(urlEqualTo(prefix + "/api/alerts/CreateAlertByReference")).atPriority(5)
                .willReturn(okJson("{\"id\":\"da{{randomValue length=18 type='NUMERIC'}}_{{randomValue length=6 type='NUMERIC'}}\","
                        + "\"status\":\"New\",\"title\":\"{{jsonPath request.body '$.title'}}\"}")));
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.patch(urlPathMatching(prefix + "/api/alerts/[^/]+")).atPriority(5)
                .willReturn(okJson("{\"id\":\"{{request.pathSegments.[3]}}\",\"status\":\"Resolved\"}")));
    }

    /** The Graph side (interface.md 5b): createAlert answers 201 with a fresh id, a PATCH answers the resolved alert. */
    public void acceptGraphAlerts(String prefix) {
        server.stubFor(post(urlEqualTo(prefix + GRAPH_CREATE)).atPriority(5)
                .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"ga{{randomValue length=20 type='ALPHANUMERIC'}}\",\"status\":\"new\"}")));
        server.stubFor(com.github.tomakehurst.wiremock.client.WireMock.patch(urlPathMatching(prefix + "/security/alerts_v2/[^/]+")).atPriority(5)
                .willReturn(okJson("{\"id\":\"{{request.pathSegments.[3]}}\",\"status\":\"resolved\"}")));
    }

    public static final String GRAPH_CREATE = "/security/alerts_v2/createAlert";

    public void stubGraphCreate(String prefix, ResponseDefinitionBuilder response, int priority) {
        server.stubFor(post(urlEqualTo(prefix + GRAPH_CREATE)).atPriority(priority).willReturn(response));
    }

    public List<LoggedRequest> graphCreates(String prefix) {
        return server.findAll(postRequestedFor(urlEqualTo(prefix + GRAPH_CREATE)));
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

    public static String integration(String name, String tenant, String account, String apiUrl) {
        return "  - name: " + name + "\n    tenantId: " + tenant + "\n    accounts: [" + account + "]\n"
                + "    filterLevel: NORMAL_AND_ABOVE\n    apiUrl: " + apiUrl + "\n";
    }

    /** An integration with `api: graph`, its Graph base URL at {@code apiUrl}. */
    public static String graphIntegration(String name, String tenant, String account, String apiUrl) {
        return integration(name, tenant, account, apiUrl) + "    api: graph\n";
    }

    @Override
    public void close() {
        server.stop();
    }

}
