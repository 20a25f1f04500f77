package io.threatbridge.console;

import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.IntegrationsFileEditor;
import io.threatbridge.ops.IntegrationStats;
import io.threatbridge.ops.Operations;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The console as a service of the Camel context (its edge to Camel): reads the bridge.console.*
 * settings, starts {@link ConsoleServer} when bridge.console.enabled is true, and shows it the
 * running bridge: the registry's integrations, their routes' status, health checks and the
 * counters JMX shows ({@link Operations}).
 */
public class BridgeConsole extends ServiceSupport implements BridgeView {

    private static final Logger LOG = LoggerFactory.getLogger("io.threatbridge.console");

    private final CamelContext camel;
    private final DeliveryControl delivery;
    private final IntegrationRegistry integrations;
    private final Operations operations;
    private final TenantTokens tokens;
    private final boolean dryRun;
    private ConsoleServer server;

    public BridgeConsole(CamelContext camel, IntegrationRegistry integrations, Operations operations, TenantTokens tokens, boolean dryRun,
                         DeliveryControl delivery) {
        this.camel = camel;
        this.delivery = delivery;
        this.integrations = integrations;
        this.operations = operations;
        this.tokens = tokens;
        this.dryRun = dryRun;
    }

    private String setting(String key) {
        return camel.getPropertiesComponent().resolveProperty(key).orElse("").strip();
    }

    @Override
    protected void doStart() throws Exception {
        if (!Boolean.parseBoolean(setting("bridge.console.enabled"))) {
            return;
        }
        ConsoleSettings settings = ConsoleSettings.of(setting("bridge.console.host"), Integer.parseInt(setting("bridge.console.port")),
                setting("bridge.console.user"), setting("bridge.console.password-hash"), setting("bridge.console.password-file"),
                setting("bridge.console.public-url"), setting("bridge.console.keystore-file"), setting("bridge.console.keystore-password"),
                Long.parseLong(setting("bridge.console.session-minutes")));
        String defenderApiUrl = setting("bridge.defender.api-url");
        GrantProof proof = dryRun ? null : new GrantProof(tokens, defenderApiUrl, setting("bridge.graph.api-url"), setting("bridge.hunting.api-url"));
        ConsentLink consent = dryRun ? null : new ConsentLink(setting("bridge.auth.authority-url"), setting("bridge.auth.client-id"),
                setting("bridge.defender.scope"), setting("bridge.graph.scope"));
        server = new ConsoleServer(settings, this, new IntegrationsFileEditor(integrations.file(), defenderApiUrl, integrations.sentinelHosts()), proof, consent,
                integrations.file().toString());
        server.start();
        LOG.info("console: listening on {}:{} ({}), for {}", settings.host(), server.port(), settings.publicUrl(),
                dryRun ? "dry-run (no consent, no proof)" : "live");
    }

    @Override
    protected void doStop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }

    /** The port the console listens on, or -1 when it is off. */
    public int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public List<Row> rows() {
        return integrations.all().stream().map(this::row).toList();
    }

    private Row row(Integration integration) {
        IntegrationStats stats = operations.of(integration.name());
        return new Row(integration, state(integration, stats), stats.getDeliveredToday(), stats.getDelivered(), stats.getDeadLettered(),
                stats.getLastError(), stats.getLastDeliveredAt());
    }

    /**
     * DISABLED (the file says so), STARTING (enabled, not delivered yet: the bridge starts, or a reload adds it), else the State JMX shows
     * (interface.md section 6): UP, THROTTLED, FAILING or PAUSED.
     */
    private String state(Integration integration, IntegrationStats stats) {
        if (!integration.enabled()) {
            return "DISABLED";
        }
        if (!delivery.isConsuming(integration.name())) {
            return "STARTING";
        }
        return stats.getState();
    }

    @Override
    public Integration integration(String name) {
        return integrations.all().stream().filter(integration -> integration.name().equals(name)).findFirst().orElse(null);
    }

    @Override
    public long reloadMillis() {
        return Long.parseLong(setting("bridge.integrations-reload-ms"));
    }
}
