package io.threatbridge.microsoft;

import com.microsoft.aad.msal4j.HttpRequest;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.aad.msal4j.IHttpResponse;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * msal4j's HTTP client: Azure AD's token requests over a small pool of kept-alive connections, on
 * the thread that asks. msal4j's own client opens an HttpsURLConnection per request on a thread of
 * its own; with thousands of tenants every new tenant's first event waits for two token requests,
 * and with that client they took a quarter of the bridge's CPU in the tenants benchmark's step 2
 * (docs/benchmarks.md, "after the first events were made cheaper").
 * Trust store and proxy come from the JVM's system properties, as with msal4j's own client.
 */
final class TokenEndpointClient implements IHttpClient {

    /** Headers the client sets itself from the request; msal4j's copy would make the request invalid. */
    private static final Set<String> SET_BY_CLIENT = Set.of("content-length", "host", "transfer-encoding", "connection");

    private final CloseableHttpClient http;

    /** @param connections at most this many at once (the delivery lanes and the warm-up thread ask concurrently) */
    TokenEndpointClient(int connectTimeoutMillis, int readTimeoutMillis, int connections) {
        this.http = HttpClients.custom()
                .useSystemProperties()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .useSystemProperties()
                        .setMaxConnTotal(connections)
                        .setMaxConnPerRoute(connections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(connectTimeoutMillis))
                                .setSocketTimeout(Timeout.ofMilliseconds(readTimeoutMillis))
                                // a connection Azure AD may have closed while idle is checked before use
                                .setValidateAfterInactivity(TimeValue.ofSeconds(2))
                                .setTimeToLive(TimeValue.ofMinutes(10))
                                .build())
                        .build())
                // all connections busy: wait no longer than for a new one
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setConnectionRequestTimeout(Timeout.ofMilliseconds(connectTimeoutMillis)).build())
                .disableCookieManagement()
                .disableRedirectHandling()
                // msal4j retries a failed token request itself (HttpHelper)
                .disableAutomaticRetries()
                .build();
    }

    @Override
    public IHttpResponse send(HttpRequest request) throws IOException, URISyntaxException {
        ClassicHttpRequest out = new BasicClassicHttpRequest(request.httpMethod().methodName, request.url().toURI());
        if (request.headers() != null) {
            request.headers().forEach((name, value) -> {
                if (!SET_BY_CLIENT.contains(name.toLowerCase(Locale.ROOT))) {
                    out.addHeader(name, value);
                }
            });
        }
        if (request.body() != null) {
            // the Content-Type is msal4j's own header, copied above
            out.setEntity(new ByteArrayEntity(request.body().getBytes(StandardCharsets.UTF_8), null));
        }
        return http.execute(out, TokenEndpointClient::answer);
    }

    private static Answer answer(ClassicHttpResponse response) throws IOException {
        // msal4j looks headers up by name (client-request-id, Retry-After): any case, as HTTP has it
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Header header : response.getHeaders()) {
            headers.computeIfAbsent(header.getName(), name -> new ArrayList<>()).add(header.getValue());
        }
        HttpEntity entity = response.getEntity();
        String body = entity == null ? "" : new String(EntityUtils.toByteArray(entity), StandardCharsets.UTF_8);
        return new Answer(response.getCode(), headers, body);
    }

    private record Answer(int statusCode, Map<String, List<String>> headers, String body) implements IHttpResponse {
    }
}
