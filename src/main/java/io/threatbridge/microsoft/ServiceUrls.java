package io.threatbridge.microsoft;

import io.threatbridge.integration.Integration;

import java.net.URI;

/**
 * Where a request goes: Defender for Endpoint at the integration's apiUrl, Graph's alerts and
 * advanced hunting at the bridge's settings, Sentinel at the integration's ingestion URL.
 */
public class ServiceUrls {

    private final String graphApiUrl;
    private final String huntingApiUrl;

    /** @param graphApiUrl bridge.graph.api-url; @param huntingApiUrl bridge.hunting.api-url */
    public ServiceUrls(String graphApiUrl, String huntingApiUrl) {
        this.graphApiUrl = trimSlash(graphApiUrl);
        this.huntingApiUrl = trimSlash(huntingApiUrl);
    }

    /**
     * The request's path on its service's base URL; a whole URL (a list's @odata.nextLink) only on
     * that base URL's host, since the call carries the tenant's token.
     */
    public String url(DefenderRequest request, Integration integration) {
        String base = baseUrl(request.service(), integration);
        if (!request.path().startsWith("https://")) {
            return base + request.path();
        }
        URI link = URI.create(request.path());
        URI own = URI.create(base);
        if (!own.getHost().equalsIgnoreCase(link.getHost()) || own.getPort() != link.getPort()) {
            throw new PermanentDeliveryException(request.service().label() + " named a next page on another host ("
                    + link.getHost() + "): not followed with the tenant's token", null);
        }
        return request.path();
    }

    private String baseUrl(DefenderRequest.Service service, Integration integration) {
        return switch (service) {
            case defender -> integration.apiUrl();
            case graph -> graphApiUrl;
            case hunting -> huntingApiUrl;
            case sentinel -> integration.sentinel().ingestionUrl();
        };
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
