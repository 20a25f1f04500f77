package io.threatbridge.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.microsoft.DefenderRequest.Service;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.integration.FilterLevel;
import io.threatbridge.integration.Integration;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Proves that a tenant granted the bridge what an integration's API needs: a token for the tenant
 * from each service it calls (through the bridge's own {@link TenantTokens}), then one harmless read
 * with it: list one Defender for Endpoint alert, list one Graph security alert, an advanced hunting
 * query that matches nothing. Nothing is written; the tokens are never shown.
 */
public class GrantProof {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Valid KQL that reads one table and matches no device. */
    static final String HUNTING_QUERY = "DeviceInfo | where DeviceId == \"threat-bridge-connection-test\" | take 1";

    private final TenantTokens tokens;
    private final String defenderApiUrl;
    private final String graphApiUrl;
    private final String huntingApiUrl;
    private final HttpClient http;

    /** What one service answered. */
    public record Check(String service, boolean ok, String detail) {
    }

    public record Result(String tenantId, List<Check> checks) {
        public boolean granted() {
            return !checks.isEmpty() && checks.stream().allMatch(Check::ok);
        }
    }

    public GrantProof(TenantTokens tokens, String defenderApiUrl, String graphApiUrl, String huntingApiUrl) {
        this.tokens = tokens;
        this.defenderApiUrl = trim(defenderApiUrl);
        this.graphApiUrl = trim(graphApiUrl);
        this.huntingApiUrl = trim(huntingApiUrl);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The services an API calls, in the order they are proven. */
    static List<Service> services(Integration.Api api) {
        return switch (api) {
            case auto -> List.of(Service.defender, Service.hunting, Service.graph);
            case endpoint -> List.of(Service.defender, Service.hunting);
            case graph -> List.of(Service.graph);
            case sentinel -> List.of(Service.sentinel);
        };
    }

    /** Proves the grant for a tenant about to be added (Defender at bridge.defender.api-url). */
    public Result prove(String tenantId, Integration.Api api) {
        return prove(new Integration("new", tenantId, List.of("-"), FilterLevel.CRITICAL, defenderApiUrl, api, true));
    }

    /** "Test connection" of an integration in force. */
    public Result prove(Integration integration) {
        List<Check> checks = new ArrayList<>();
        for (Service service : services(integration.api())) {
            checks.add(check(integration, service));
        }
        return new Result(integration.tenantId(), List.copyOf(checks));
    }

    private Check check(Integration integration, Service service) {
        String name = switch (service) {
            case defender -> "Defender for Endpoint alerts";
            case graph -> "Microsoft Graph security alerts";
            case hunting -> "Advanced hunting";
            case sentinel -> "Sentinel Logs Ingestion";
        };
        String authorization;
        try {
            authorization = tokens.authorization(integration, service);
        } catch (RuntimeException noToken) {
            // TenantTokens' messages carry Azure AD's error (AADSTS...), never the credential
            return new Check(name, false, "no token: " + noToken.getMessage());
        }
        if (service == Service.sentinel) {
            // the Logs Ingestion API only takes rows: nothing to read, and a test row would be data
            return new Check(name, true, "token issued (the Logs Ingestion API has no harmless read; the first rows prove the role)");
        }
        HttpRequest.Builder request = switch (service) {
            case defender -> HttpRequest.newBuilder(URI.create(trim(integration.apiUrl()) + "/api/alerts?$top=1")).GET();
            case graph -> HttpRequest.newBuilder(URI.create(graphApiUrl + "/security/alerts_v2?$top=1")).GET();
            case hunting -> HttpRequest.newBuilder(URI.create(huntingApiUrl + "/security/runHuntingQuery"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode().put("Query", HUNTING_QUERY).toString()));
            case sentinel -> throw new IllegalStateException("no read for Sentinel");
        };
        try {
            HttpResponse<String> answer = http.send(request.header("Authorization", authorization)
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() / 100 == 2) {
                return new Check(name, true, "token issued; read answered " + answer.statusCode());
            }
            return new Check(name, false, "token issued, but the read was refused: " + answer.statusCode() + " " + reason(answer.body()));
        } catch (IOException e) {
            return new Check(name, false, "token issued, but no answer from " + request.build().uri().getHost() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check(name, false, "interrupted");
        }
    }

    /** Microsoft's error code and message, short; the body is theirs, so it is cut and later escaped. */
    private static String reason(String body) {
        try {
            JsonNode error = JSON.readTree(body).path("error");
            String text = error.isTextual() ? error.asText() : (error.path("code").asText("") + " " + error.path("message").asText("")).strip();
            return text.length() <= 300 ? text : text.substring(0, 297) + "...";
        } catch (IOException | RuntimeException notJson) {
            return "";
        }
    }

    private static String trim(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
