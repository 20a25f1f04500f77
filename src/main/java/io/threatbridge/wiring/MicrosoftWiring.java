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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * The Microsoft API clients: tokens (msal4j), the alert APIs (Defender for Endpoint, Graph), the
 * device anchors (advanced hunting), the reading of their answers, and dry-run's log in their place
 * (bridge.defender.mode; no client id: dry-run).
 */
public class MicrosoftWiring implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MicrosoftWiring.class);

    @PropertyInject(value = "bridge.defender.mode", defaultValue = "")
    String mode;
    @PropertyInject(value = "bridge.auth.client-id", defaultValue = "")
    String clientId;
    @PropertyInject("bridge.auth.warm-up-integrations")
    int warmUp;

    @BindToRegistry("tenantTokens")
    public TenantTokens tenantTokens(CamelContext context,
                                     @PropertyInject(value = "bridge.auth.client-secret", defaultValue = "") String secret,
                                     @PropertyInject(value = "bridge.auth.client-secret-file", defaultValue = "") String secretFile,
                                     @PropertyInject(value = "bridge.auth.certificate-file", defaultValue = "") String certificateFile,
                                     @PropertyInject(value = "bridge.auth.certificate-password", defaultValue = "") String certificatePassword,
                                     @PropertyInject("bridge.auth.authority-url") String authorityUrl,
                                     @PropertyInject("bridge.defender.scope") String defenderScope,
                                     @PropertyInject("bridge.graph.scope") String graphScope,
                                     @PropertyInject("bridge.sentinel.scope") String sentinelScope) throws Exception {
        return Once.bind(context, "tenantTokens", TenantTokens.class, () -> new TenantTokens(clientId,
                // dry-run asks for no token, so it needs no credential
                dryRun() ? null : TenantTokens.credential(secret, secretFile, certificateFile, certificatePassword),
                authorityUrl, Map.of(DefenderRequest.Service.defender, defenderScope, DefenderRequest.Service.graph, graphScope,
                        DefenderRequest.Service.hunting, graphScope, DefenderRequest.Service.sentinel, sentinelScope)));
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
    public AnchorSteps deviceAnchors(@BeanInject("store") DeliveryStore store) {
        return new AnchorSteps(new DeviceAnchors(store, !dryRun()));
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

    @Override
    public void configure(CamelContext context) throws Exception {
        // for the routes: a placeholder is resolved once, when they are built
        context.getPropertiesComponent().addOverrideProperty("bridge.delivery.dry-run", String.valueOf(dryRun()));
        TenantTokens tokens = context.getRegistry().lookupByNameAndType("tenantTokens", TenantTokens.class);
        IntegrationRegistry integrations = context.getRegistry().lookupByNameAndType("integrationRegistry", IntegrationRegistry.class);
        // the first integrations' tokens, fetched once the routes run
        context.addStartupListener((started, alreadyStarted) -> tokens.warmUp(integrations.all(), warmUp));
        LOG.info("Defender delivery mode: {}", DeliveryMode.of(mode, clientId).name());
    }

    private boolean dryRun() {
        return DeliveryMode.of(mode, clientId).dryRun();
    }
}
