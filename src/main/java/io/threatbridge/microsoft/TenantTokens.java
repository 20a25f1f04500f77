package io.threatbridge.microsoft;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import io.threatbridge.integration.Integration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Client-credentials tokens from Azure AD, one per tenant and scope, through msal4j. Each token is
 * kept here until shortly before it expires: msal4j's own cache misses whenever the authority URL
 * carries a port, and one token request per alert would soon hit Azure AD's own limits.
 */
public class TenantTokens {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TenantTokens.class);

    /** Renew this long before expiry, so no call leaves with a token about to lapse. */
    static final Duration RENEW_BEFORE = Duration.ofMinutes(5);
    /** Token requests at once: the delivery lanes', the warm-up thread's, the console's; more wait for a connection. */
    private static final int CONNECTIONS = 16;

    private final String clientId;
    private final IClientCredential credential;
    private final String authorityUrl;
    private final Map<DefenderRequest.Service, String> scopes;
    private final Map<String, ConfidentialClientApplication> applications = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    /** Shared by every tenant's application; null in dry-run mode. */
    private final TokenEndpointClient http;

    private record Token(String value, Instant renewAt) {
    }

    /**
     * @param credential null in dry-run mode, where no token is ever asked for
     * @param scopes the OAuth2 scope of each service (bridge.defender.scope; bridge.graph.scope for Graph and hunting)
     * @param connectTimeoutMillis connecting to Azure AD, as to any Microsoft API (bridge.http.connect-timeout-ms)
     * @param readTimeoutMillis waiting for Azure AD's answer, as for any Microsoft API's (bridge.http.response-timeout-ms) */
    public TenantTokens(String clientId, IClientCredential credential, String authorityUrl, Map<DefenderRequest.Service, String> scopes,
                        int connectTimeoutMillis, int readTimeoutMillis) {
        this.clientId = clientId;
        this.scopes = Map.copyOf(scopes);
        this.credential = credential;
        this.http = credential == null ? null : new TokenEndpointClient(connectTimeoutMillis, readTimeoutMillis, CONNECTIONS);
        this.authorityUrl = authorityUrl.endsWith("/") ? authorityUrl : authorityUrl + "/";
    }

    /**
     * The credential from the settings: a secret, a file holding it, or a PKCS#12 certificate.
     * Exactly one must be given.
     */
    public static IClientCredential credential(String secret, String secretFile, String certificateFile, String certificatePassword) {
        int given = (secret.isBlank() ? 0 : 1) + (secretFile.isBlank() ? 0 : 1) + (certificateFile.isBlank() ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException("live mode needs exactly one of bridge.auth.client-secret, "
                    + "bridge.auth.client-secret-file and bridge.auth.certificate-file (" + given + " given)");
        }
        try {
            if (!secret.isBlank()) {
                return ClientCredentialFactory.createFromSecret(secret);
            }
            if (!secretFile.isBlank()) {
                String fromFile = Files.readString(Path.of(secretFile)).strip();
                if (fromFile.isEmpty()) {
                    throw new IllegalArgumentException("bridge.auth.client-secret-file " + secretFile + " is empty");
                }
                return ClientCredentialFactory.createFromSecret(fromFile);
            }
            try (InputStream pkcs12 = Files.newInputStream(Path.of(certificateFile))) {
                return ClientCredentialFactory.createFromCertificate(pkcs12, certificatePassword);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the credential file: " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("bridge.auth.certificate-file " + certificateFile
                    + " is not a PKCS#12 file this password opens: " + e.getClass().getSimpleName());
        }
    }

    /** The Authorization header value for a call to this integration's tenant, with a token for the request's service. */
    public String authorization(Integration integration, DefenderRequest request) {
        return authorization(integration, DefenderRequest.Service.of(request));
    }

    /** The Authorization header value for a call to the integration's tenant on that service (also the console's proof of a grant). */
    public String authorization(Integration integration, DefenderRequest.Service service) {
        if (credential == null) {
            throw new IllegalStateException("no Azure AD credential: the bridge runs in dry-run mode");
        }
        String scope = scopes.get(service);
        String key = integration.tenantId() + " " + scope;
        Token token = tokens.get(key);
        if (token == null || Instant.now().isAfter(token.renewAt())) {
            token = tokens.compute(key, (k, current) ->
                    current != null && Instant.now().isBefore(current.renewAt()) ? current : acquire(integration.tenantId(), scope));
        }
        return "Bearer " + token.value();
    }

    /**
     * Fetches the tokens of the first {@code limit} enabled integrations ahead of their first event,
     * one after another on a thread of its own, so a refused consent shows before an event needs it.
     * The others fetch theirs on their first event: a bridge with thousands of tenants would otherwise
     * spend its start, and Azure AD's patience, on tokens most quiet tenants will not use for hours.
     */
    public void warmUp(List<Integration> integrations, int limit) {
        if (credential == null || limit <= 0) {
            return;
        }
        List<Integration> first = integrations.stream().filter(Integration::enabled).limit(limit).toList();
        Thread warming = new Thread(() -> {
            for (Integration integration : first) {
                for (DefenderRequest.Service service : services(integration)) {
                    try {
                        authorization(integration, service);
                    } catch (RuntimeException failure) {
                        LOG.warn("no token yet for integration {}: {}", integration.name(), failure.getCause() != null
                                ? failure.getCause().getMessage() : failure.getMessage());
                    }
                }
            }
        }, "token-warm-up");
        warming.setDaemon(true);
        warming.start();
    }

    /** The services an integration calls: Defender for Endpoint and hunting (Graph's token) unless it is graph only. */
    static List<DefenderRequest.Service> services(Integration integration) {
        return switch (integration.api()) {
            case auto, endpoint -> List.of(DefenderRequest.Service.defender, DefenderRequest.Service.hunting);
            case graph -> List.of(DefenderRequest.Service.graph);
            case sentinel -> List.of(DefenderRequest.Service.sentinel);
        };
    }

    /** Forgets the tenant's token after the service refused it, so the next call gets a fresh one. */
    public void invalidate(Integration integration, DefenderRequest.Service service) {
        tokens.remove(integration.tenantId() + " " + scopes.get(service));
    }

    private Token acquire(String tenantId, String scope) {
        try {
            IAuthenticationResult result = application(tenantId)
                    .acquireToken(ClientCredentialParameters.builder(Set.of(scope)).skipCache(true).build())
                    // done already: it ran on this thread, within the HTTP client's connect and read timeouts
                    .get();
            Instant expiresOn = result.expiresOnDate().toInstant();
            Duration lifetime = Duration.between(Instant.now(), expiresOn);
            Duration margin = lifetime.dividedBy(2).compareTo(RENEW_BEFORE) < 0 ? lifetime.dividedBy(2) : RENEW_BEFORE;
            return new Token(result.accessToken(), expiresOn.minus(margin));
        } catch (ExecutionException e) {
            // msal4j's messages carry Azure AD's error code and text, never the credential
            throw new RetryableDeliveryException("no token for tenant " + tenantId + ": " + firstLine(e.getCause()), null, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetryableDeliveryException("no token for tenant " + tenantId + ": interrupted", null, null);
        }
    }

    private ConfidentialClientApplication application(String tenantId) {
        return applications.computeIfAbsent(tenantId, tenant -> {
            try {
                return ConfidentialClientApplication.builder(clientId, credential)
                        .authority(authorityUrl + tenant + "/")
                        // a sovereign cloud or a test fake is not in Microsoft's instance list
                        .instanceDiscovery(false)
                        .httpClient(http)
                        // on the asking thread, which waits for the token anyway (msal4j would start a thread per request)
                        .executorService(CALLER_RUNS)
                        .build();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("bridge.auth.authority-url " + authorityUrl + " is not a URL", e);
            }
        });
    }

    /** Runs each task at once on the thread that submits it. */
    private static final ExecutorService CALLER_RUNS = new AbstractExecutorService() {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return false;
        }
    };

    private static String firstLine(Throwable error) {
        String message = error == null || error.getMessage() == null ? String.valueOf(error) : error.getMessage();
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        return line.length() <= 300 ? line : line.substring(0, 297) + "...";
    }
}
