package io.threatbridge.wiring;

import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.microsoft.AlertApis;
import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.DeviceAnchors;
import io.threatbridge.microsoft.DryRunLog;
import io.threatbridge.microsoft.ServiceUrls;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.route.AlertRequests;
import io.threatbridge.route.AnchorSteps;
import io.threatbridge.route.DryRunSteps;
import io.threatbridge.route.MicrosoftCall;
import io.threatbridge.route.ReplySteps;
import io.threatbridge.route.TokenSteps;
import io.threatbridge.store.DeliveryStore;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Microsoft API clients: tokens (msal4j), the alert APIs (Defender for Endpoint, Graph), the
 * device anchors (advanced hunting), the reading of their answers, and dry-run's log in their place
 * (bridge.defender.mode; no client id: dry-run).
 */
public class MicrosoftWiring implements CamelConfiguration {

    /** One token per tenant and service, from Azure AD with the bridge's client credential (msal4j). */
    @BindToRegistry("tenantTokens")
    public TenantTokens tenantTokens(CamelContext context, @BeanInject("deliveryMode") DeliveryMode mode,
                                     @BeanInject("integrationRegistry") IntegrationRegistry integrations,
                                     @PropertyInject("bridge.auth.client-id") String clientId,
                                     @PropertyInject("bridge.auth.authority-url") String authorityUrl,
                                     @PropertyInject("bridge.auth.warm-up-integrations") int warmUp,
                                     @PropertyInject("bridge.http.connect-timeout-ms") int connectTimeout,
                                     @PropertyInject("bridge.http.response-timeout-ms") int responseTimeout,
                                     @BeanInject("tokenScopes") Map<DefenderRequest.Service, String> scopes,
                                     @PropertyInject("bridge.auth.client-secret") String secret, @PropertyInject("bridge.auth.client-secret-file") String secretFile,
                                     @PropertyInject("bridge.auth.certificate-file") String certificateFile,
                                     @PropertyInject("bridge.auth.certificate-password") String certificatePassword) throws Exception {
        return Once.bind(context, "tenantTokens", TenantTokens.class, () -> {
            // dry-run asks for no token, so it needs no credential
            TenantTokens tokens = new TenantTokens(clientId, mode.dryRun() ? null
                    : TenantTokens.credential(secret, secretFile, certificateFile, certificatePassword), authorityUrl, scopes,
                    connectTimeout, responseTimeout);
            // the first integrations' tokens, fetched once the routes run
            context.addStartupListener((started, alreadyStarted) -> tokens.warmUp(integrations.all(), warmUp));
            return tokens;
        });
    }

    /** The token scope of each service: Defender for Endpoint's, Graph's (alerts and hunting), Azure Monitor's (Sentinel). */
    @BindToRegistry("tokenScopes")
    public Map<DefenderRequest.Service, String> tokenScopes(@PropertyInject("bridge.defender.scope") String defenderScope,
                                                            @PropertyInject("bridge.graph.scope") String graphScope,
                                                            @PropertyInject("bridge.sentinel.scope") String sentinelScope) {
        return Map.of(DefenderRequest.Service.defender, defenderScope, DefenderRequest.Service.graph, graphScope,
                DefenderRequest.Service.hunting, graphScope, DefenderRequest.Service.sentinel, sentinelScope);
    }

    @BindToRegistry("tokens")
    public TokenSteps tokens(@BeanInject("tenantTokens") TenantTokens tokens) {
        return new TokenSteps(tokens);
    }

    @BindToRegistry("alerts")
    public AlertRequests alerts() {
        return new AlertRequests(new AlertApis());
    }

    /** Dry-run's anchors are made up: never remembered in the store, so none reaches a later live run. */
    @BindToRegistry("deviceAnchors")
    public AnchorSteps deviceAnchors(@BeanInject("store") DeliveryStore store, @BeanInject("deliveryMode") DeliveryMode mode) {
        return new AnchorSteps(new DeviceAnchors(store, !mode.dryRun()));
    }

    @BindToRegistry("defenderReply")
    public ReplySteps defenderReply(@BeanInject("tenantTokens") TenantTokens tokens) {
        return new ReplySteps(new DefenderReply(tokens));
    }

    @BindToRegistry("microsoftCall")
    public MicrosoftCall microsoftCall(@PropertyInject("bridge.graph.api-url") String graphApiUrl,
                                       @PropertyInject("bridge.hunting.api-url") String huntingApiUrl) {
        return new MicrosoftCall(new ServiceUrls(graphApiUrl, huntingApiUrl));
    }

    @BindToRegistry("dryRunLog")
    public DryRunSteps dryRunLog(@PropertyInject("bridge.data-dir") String dataDir) {
        return new DryRunSteps(new DryRunLog(Path.of(dataDir, "dry-run-alerts.jsonl")));
    }
}
