package io.threatbridge.console;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Azure AD's v2.0 admin consent endpoint ({authority}/organizations/v2.0/adminconsent), as
 * learn.microsoft.com "Admin consent on the Microsoft identity platform" describes it, with the
 * Global Administrator's answer decided by the test:
 * <ul>
 * <li>client_id must be a registered application, else Azure AD shows its own error page
 *     (AADSTS700016) and sends nobody back;</li>
 * <li>redirect_uri must match a redirect URI of the app registration exactly, else AADSTS50011,
 *     again without a redirect;</li>
 * <li>scope is required and, for the /.default form, each entry names a resource's /.default;</li>
 * <li>then the administrator's page: Accept goes to redirect_uri with tenant, state and
 *     admin_consent=True, Cancel with error, error_description and state.</li>
 * </ul>
 */
public final class FakeAdminConsent implements ResponseDefinitionTransformerV2 {

    public static final String PATH = "/organizations/v2.0/adminconsent";

    private final String clientId;
    private final Set<String> redirectUris;
    private final Set<String> resources;
    private volatile String tenant;
    /** The query of every consent request, as Azure AD received it. */
    public final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();

    public FakeAdminConsent(String clientId, Set<String> redirectUris, Set<String> resources) {
        this.clientId = clientId;
        this.redirectUris = Set.copyOf(redirectUris);
        this.resources = Set.copyOf(resources);
    }

    /** The administrator who signs in next is of this tenant. */
    public void signInAs(String tenant) {
        this.tenant = tenant;
    }

    @Override
    public String getName() {
        return "admin-consent";
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        Request request = serveEvent.getRequest();
        Map<String, String> query = query(request.getUrl());
        requests.add(query);
        if (!clientId.equals(query.get("client_id"))) {
            return page(400, "AADSTS700016: Application with identifier '" + query.get("client_id") + "' was not found in the directory.");
        }
        String redirect = query.get("redirect_uri");
        if (redirect == null || !redirectUris.contains(redirect)) {
            return page(400, "AADSTS50011: The redirect URI '" + redirect + "' specified in the request does not match the redirect URIs configured for the application.");
        }
        String scope = query.get("scope");
        if (scope == null || scope.isBlank()) {
            return page(400, "AADSTS900144: The request body must contain the following parameter: 'scope'.");
        }
        for (String one : scope.split(" ")) {
            if (!one.endsWith("/.default") || !resources.contains(one.substring(0, one.length() - "/.default".length()))) {
                return page(400, "AADSTS70011: The provided value for the input parameter 'scope' is not valid: " + one);
            }
        }
        // the administrator signs in and sees the permissions; Accept or Cancel sends the browser back from
        // Azure AD's own page (so the console's SameSite=Strict cookie does not come along)
        String state = query.getOrDefault("state", "");
        String accepted = redirect + "?admin_consent=True&tenant=" + encode(tenant) + "&state=" + encode(state) + "&scope=" + encode(scope);
        String declined = redirect + "?error=access_denied&error_description="
                + encode("AADSTS65004: User declined to consent to access the app.") + "&state=" + encode(state);
        return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8")
                .withBody("<!doctype html><html><head><title>Permissions requested</title></head><body><h1>Permissions requested</h1>"
                        + "<p>Accept for your organization: " + escape(scope) + "</p>"
                        + "<p><a id=\"accept\" href=\"" + escape(accepted) + "\">Accept</a> <a id=\"cancel\" href=\""
                        + escape(declined) + "\">Cancel</a></p></body></html>").build();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;");
    }

    private static ResponseDefinition page(int status, String text) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "text/html")
                .withBody("<html><body><h1>Sign in</h1><p>" + text + "</p></body></html>").build();
    }

    private static Map<String, String> query(String url) {
        Map<String, String> values = new HashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return values;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
