package io.threatbridge.console;

import io.threatbridge.integration.Integration;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The admin-consent link of the bridge's application (Microsoft identity platform v2.0:
 * {@code {authority}/organizations/v2.0/adminconsent?client_id&scope&redirect_uri&state}). The
 * scope lists the {@code .default} scope of each resource the integration's API calls: Defender for
 * Endpoint's (bridge.defender.scope) and Graph's (bridge.graph.scope, also hunting's) for
 * {@code auto} and {@code endpoint}, Graph's for {@code graph}.
 */
public class ConsentLink {

    private final String authorityUrl;
    private final String clientId;
    private final String defenderScope;
    private final String graphScope;

    public ConsentLink(String authorityUrl, String clientId, String defenderScope, String graphScope) {
        this.authorityUrl = authorityUrl.endsWith("/") ? authorityUrl.substring(0, authorityUrl.length() - 1) : authorityUrl;
        this.clientId = clientId;
        this.defenderScope = defenderScope;
        this.graphScope = graphScope;
    }

    public Set<String> scopes(Integration.Api api) {
        Set<String> scopes = new LinkedHashSet<>();
        if (api.usesEndpoint()) {
            scopes.add(defenderScope);
        }
        scopes.add(graphScope);
        return scopes;
    }

    public String url(Integration.Api api, String redirectUri, String state) {
        return authorityUrl + "/organizations/v2.0/adminconsent?client_id=" + encode(clientId)
                + "&scope=" + encode(String.join(" ", scopes(api)))
                + "&redirect_uri=" + encode(redirectUri) + "&state=" + encode(state);
    }

    /** scheme://host[:port] of the authority, for the console's Content-Security-Policy. */
    String origin() {
        URI uri = URI.create(authorityUrl);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
