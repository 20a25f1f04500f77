package io.threatbridge.wiring;

import io.threatbridge.store.QuotaWindow;

import io.threatbridge.broker.BrokerConnection;
import io.threatbridge.broker.BrokerCredentials;
import io.threatbridge.broker.InboundMessages;
import io.threatbridge.console.BridgeConsole;
import io.threatbridge.microsoft.AlertApis;
import io.threatbridge.delivery.UnansweredCreates;
import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.route.DeliveryFacts;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.microsoft.DeviceAnchors;
import io.threatbridge.microsoft.DryRunLog;
import io.threatbridge.delivery.RetrySchedule;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.delivery.TenantPacer;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.route.EventFacts;
import io.threatbridge.event.EventValidator;
import io.threatbridge.format.VendorFormats;
import io.threatbridge.health.PartHealthCheck;
import io.threatbridge.logging.EmailMask;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.integration.IntegrationsFile;
import io.threatbridge.route.IntegrationsReload;
import io.threatbridge.lanes.DeliveryLanes;
import io.threatbridge.ops.DeadLetters;
import io.threatbridge.ops.Operations;
import io.threatbridge.sentinel.SentinelBatches;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.StoreRetention;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The beans the routes call by name, built from the bridge.* settings (interface.md section 2). */
public class BridgeConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BridgeConfiguration.class);
    /** Each integration's own queue is this, a dot, and its name (routes/ingest.yaml sends there). */
    static final String DELIVERY_QUEUE_PREFIX = "defender.out";

    @PropertyInject(value = "bridge.broker.url", defaultValue = "")
    String brokerUrl;
    @PropertyInject(value = "bridge.broker.user", defaultValue = "")
    String brokerUser;
    @PropertyInject(value = "bridge.broker.password", defaultValue = "")
    String brokerPassword;
    @PropertyInject("bridge.data-dir")
    String dataDir;
    @PropertyInject("bridge.integrations-file")
    String integrationsFile;
    @PropertyInject("bridge.formats-dir")
    String formatsDir;
    @PropertyInject("bridge.defender.api-url")
    String defenderApiUrl;
    @PropertyInject(value = "bridge.defender.mode", defaultValue = "")
    String mode;
    @PropertyInject(value = "bridge.auth.client-id", defaultValue = "")
    String clientId;
    @PropertyInject(value = "bridge.auth.client-secret", defaultValue = "")
    String clientSecret;
    @PropertyInject(value = "bridge.auth.client-secret-file", defaultValue = "")
    String clientSecretFile;
    @PropertyInject(value = "bridge.auth.certificate-file", defaultValue = "")
    String certificateFile;
    @PropertyInject(value = "bridge.auth.certificate-password", defaultValue = "")
    String certificatePassword;
    @PropertyInject("bridge.auth.authority-url")
    String authorityUrl;
    @PropertyInject("bridge.defender.scope")
    String defenderScope;
    @PropertyInject("bridge.graph.api-url")
    String graphApiUrl;
    @PropertyInject("bridge.graph.scope")
    String graphScope;
    @PropertyInject("bridge.hunting.api-url")
    String huntingApiUrl;
    @PropertyInject("bridge.sentinel.scope")
    String sentinelScope;
    @PropertyInject(value = "bridge.sentinel.allowed-hosts", defaultValue = "")
    String sentinelAllowedHosts;
    @PropertyInject(value = "bridge.store.url", defaultValue = "")
    String storeUrl;
    @PropertyInject(value = "bridge.store.user", defaultValue = "")
    String storeUser;
    @PropertyInject(value = "bridge.store.password", defaultValue = "")
    String storePassword;
    @PropertyInject(value = "bridge.store.retention", defaultValue = "P30D")
    String retentionSetting;
    @PropertyInject(value = "bridge.store.retention-interval-ms", defaultValue = "600000")
    long retentionIntervalMs;
    @PropertyInject("bridge.defender.quota-window-ms")
    long quotaWindowMs;
    @PropertyInject("bridge.health.integration-failures")
    long integrationFailuresToReport;
    @PropertyInject("bridge.log.mask-emails")
    boolean maskEmails;
    @PropertyInject("bridge.delivery.max-attempts")
    int maxAttempts;
    @PropertyInject("bridge.delivery.initial-delay-ms")
    long initialDelayMs;
    @PropertyInject("bridge.delivery.max-delay-ms")
    long maxDelayMs;

    @Override
    public void configure(CamelContext context) throws Exception {
        EmailMask.enable(maskEmails);
        // a refused integrations file or setting stops the start before the broker is up
        int maxSentinel = Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.sentinel.max-integrations}}"));
        int ingestConsumers = Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.ingest.consumers}}"));
        IntegrationRegistry integrations = new IntegrationRegistry(Path.of(integrationsFile), defenderApiUrl,
                IntegrationsFile.hostList(sentinelAllowedHosts), maxSentinel);
        BrokerConnection broker = brokerUrl.isBlank()
                ? BrokerConnection.embedded(Path.of("artemis", "broker.xml"), Map.of(
                        "bridge.data-dir", Path.of(dataDir).toAbsolutePath().toString(),
                        "bridge.embedded-broker.port", context.resolvePropertyPlaceholders("{{bridge.embedded-broker.port}}"),
                        "bridge.queue.inbound", context.resolvePropertyPlaceholders("{{bridge.queue.inbound}}"),
                        "bridge.queue.invalid", context.resolvePropertyPlaceholders("{{bridge.queue.invalid}}"),
                        "bridge.queue.dlq", context.resolvePropertyPlaceholders("{{bridge.queue.dlq}}"),
                        "bridge.queue.wake", context.resolvePropertyPlaceholders("{{bridge.queue.wake}}")),
                        BrokerCredentials.forEmbeddedBroker(brokerUser, brokerPassword, Path.of(dataDir)))
                : BrokerConnection.external(brokerUrl, blankToNull(brokerUser), blankToNull(brokerPassword));
        // the routes' sessions come from one pool that blocks when it is spent: refuse a start that could
        broker.requireSessions(ingestConsumers + maxSentinel, "bridge.ingest.consumers + bridge.sentinel.max-integrations");
        // up before the context starts any consumer; the context stops it after the last route
        broker.start();
        context.addService(broker, true);
        context.getRegistry().bind("connectionFactory", broker.connectionFactory());
        HealthCheckRegistry.get(context).register(new PartHealthCheck("broker", broker::problem));

        context.getRegistry().bind("integrations", integrations);
        TenantGate gate = new TenantGate();
        context.getRegistry().bind("tenantGate", gate);
        // every Defender and Graph integration's events, on a fixed number of threads; started once the
        // routes run, stopped before they stop, so no event is taken that no route could deliver
        DeliveryLanes lanes = new DeliveryLanes(context, broker.laneConnectionFactory(), broker.connectionFactory(), integrations, gate,
                context.resolvePropertyPlaceholders("{{bridge.queue.wake}}"), DELIVERY_QUEUE_PREFIX,
                Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.delivery.lanes}}")),
                Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.delivery.events-per-turn}}")),
                Long.parseLong(context.resolvePropertyPlaceholders("{{bridge.delivery.rescan-ms}}")));
        context.getRegistry().bind("deliveryLanes", lanes);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                lanes.start();
                io.micrometer.core.instrument.MeterRegistry meters = started.getRegistry().findSingleByType(io.micrometer.core.instrument.MeterRegistry.class);
                if (meters != null) {
                    io.micrometer.core.instrument.Gauge.builder("threatbridge.lanes.busy", lanes, DeliveryLanes::busyLanes)
                            .description("delivery lanes delivering now, of bridge.delivery.lanes").register(meters);
                    io.micrometer.core.instrument.Gauge.builder("threatbridge.lanes.waiting", lanes, DeliveryLanes::waitingIntegrations)
                            .description("integrations with events waiting for a free lane").register(meters);
                    io.micrometer.core.instrument.Gauge.builder("threatbridge.lanes.parked", lanes, DeliveryLanes::parkedIntegrations)
                            .description("integrations left alone until their tenant may be called or their events are due").register(meters);
                }
            }
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopping(CamelContext stopping) {
                lanes.stop();
            }
        });
        Operations operations = new Operations(context, integrations.all(), new DeadLetters(broker.connectionFactory(),
                context.resolvePropertyPlaceholders("{{bridge.queue.dlq}}"), context.resolvePropertyPlaceholders("{{bridge.queue.inbound}}")),
                integrationFailuresToReport, lanes);
        context.getRegistry().bind("operations", operations);
        context.addService(operations, true);
        IntegrationsReload reload = new IntegrationsReload(context, integrations, operations, lanes);
        context.getRegistry().bind("integrationsReload", reload);
        HealthCheckRegistry.get(context).register(new PartHealthCheck("integrations-file", reload::problem));

        DeliveryMode delivery = DeliveryMode.of(mode, clientId);
        // for the routes: a placeholder is resolved once, when they are built, a ${bean:} at every call
        context.getPropertiesComponent().addOverrideProperty("bridge.delivery.dry-run", String.valueOf(delivery.dryRun()));
        // dry-run asks for no token, so it needs no credential
        TenantTokens tokens = new TenantTokens(clientId,
                delivery.dryRun() ? null : TenantTokens.credential(clientSecret, clientSecretFile, certificateFile, certificatePassword),
                authorityUrl, Map.of(DefenderRequest.Service.defender, defenderScope, DefenderRequest.Service.graph, graphScope,
                        DefenderRequest.Service.hunting, graphScope, DefenderRequest.Service.sentinel, sentinelScope));
        context.getRegistry().bind("tokens", tokens);
        int warmUp = Integer.parseInt(context.resolvePropertyPlaceholders("{{bridge.auth.warm-up-integrations}}"));
        context.addStartupListener((started, alreadyStarted) -> tokens.warmUp(integrations.all(), warmUp));
        // the onboarding console: off unless bridge.console.enabled, its own port (docs/operations.md)
        BridgeConsole console = new BridgeConsole(context, integrations, operations, tokens, delivery.dryRun(), lanes);
        context.getRegistry().bind("console", console);
        context.addService(console, true);
        context.getRegistry().bind("defenderReply", new DefenderReply(tokens));
        // made at first use (the registry keeps the one it made): the store and the validator are
        // bound after this method
        context.getRegistry().bind("deliveryFacts", DeliveryFacts.class, () -> new DeliveryFacts(integrations,
                context.getRegistry().lookupByNameAndType("eventValidator", EventValidator.class),
                context.getRegistry().lookupByNameAndType("store", DeliveryStore.class), graphApiUrl, huntingApiUrl));
        // dry-run's anchors are made up: never remembered, so none reaches a later live run
        context.getRegistry().bind("deviceAnchors", DeviceAnchors.class, () -> new DeviceAnchors(
                context.getRegistry().lookupByNameAndType("store", DeliveryStore.class), !delivery.dryRun()));
        // api: sentinel integrations take their events in batches, one JMS transaction per batch
        context.getRegistry().bind("sentinelBatches", SentinelBatches.class, () -> new SentinelBatches(
                broker.connectionFactory(), integrations,
                context.getRegistry().lookupByNameAndType("eventValidator", EventValidator.class),
                context.getRegistry().lookupByNameAndType("store", DeliveryStore.class), operations, tokens,
                gate,
                context.getRegistry().lookupByNameAndType("retrySchedule", RetrySchedule.class),
                SentinelBatches.Limits.of(context), context.resolvePropertyPlaceholders("{{bridge.queue.dlq}}"),
                Path.of(dataDir, "dry-run-sentinel.jsonl")));
        LOG.info("Defender delivery mode: {}", delivery.name());
    }

    @BindToRegistry(value = "store", destroyMethod = "close")
    public DeliveryStore store(CamelContext context) throws Exception {
        // camel-main post-processes a configuration class twice, calling each @BindToRegistry method
        // again: the store made the first time is the one (a second would be a second pool and retention)
        DeliveryStore made = context.getRegistry().lookupByNameAndType("store", DeliveryStore.class);
        if (made != null) {
            return made;
        }
        StoreRetention.Ages ages = new StoreRetention.Ages(retention(), DeviceAnchors.REUSE, Duration.ofMillis(60 * quotaWindowMs));
        // dry-run makes its alert ids up: they go to a store of its own, or the events it handled
        // would count as done once the bridge goes live
        boolean dryRun = DeliveryMode.of(mode, clientId).dryRun();
        String url = dryRun ? DeliveryStore.dryRunUrl(Path.of(dataDir))
                : storeUrl.isBlank() ? DeliveryStore.defaultUrl(Path.of(dataDir)) : storeUrl;
        DeliveryStore store = dryRun ? new DeliveryStore(url, null, null)
                : new DeliveryStore(url, blankToNull(storeUser), blankToNull(storePassword));
        HealthCheckRegistry.get(context).register(new PartHealthCheck("store", store::problem));
        // deletes what the store no longer keeps, in the background while the context runs (docs/operations.md)
        context.addService(new StoreRetention(store, ages, Duration.ofMillis(retentionIntervalMs)), true);
        return store;
    }

    /**
     * bridge.store.retention, refused when a copy of a finished event could still come back after it:
     * each of max-attempts attempts waits up to max-delay-ms, or a Retry-After of up to an hour
     * (DefenderReply), so a retried event may be delivered that long after its first copy.
     */
    private Duration retention() {
        Duration retention = StoreRetention.parse(retentionSetting);
        Duration retries = Duration.ofMillis(Math.max(maxDelayMs, Duration.ofHours(1).toMillis())).multipliedBy(maxAttempts);
        if (retention.compareTo(retries) <= 0) {
            throw new IllegalArgumentException("bridge.store.retention " + retentionSetting + " must be longer than the retries of an event ("
                    + retries + ": bridge.delivery.max-attempts times the longer of max-delay-ms and an hour)");
        }
        return retention;
    }

    @BindToRegistry("unansweredCreates")
    public UnansweredCreates unansweredCreates(@PropertyInject("bridge.http.connect-timeout-ms") long connectTimeoutMs,
                                               @PropertyInject("bridge.http.response-timeout-ms") long responseTimeoutMs) {
        return new UnansweredCreates(connectTimeoutMs, responseTimeoutMs);
    }

    @BindToRegistry("retrySchedule")
    public RetrySchedule retrySchedule() {
        return new RetrySchedule(maxAttempts, initialDelayMs, maxDelayMs);
    }

    @BindToRegistry("pacer")
    public TenantPacer pacer(@PropertyInject("bridge.defender.create-per-minute") int defenderCreates,
                             @PropertyInject("bridge.defender.update-per-minute") int defenderUpdates,
                             @PropertyInject("bridge.defender.update-per-hour") int defenderUpdatesPerHour,
                             @PropertyInject("bridge.graph.create-per-minute") int graphCreates,
                             @PropertyInject("bridge.graph.update-per-minute") int graphUpdates,
                             @PropertyInject("bridge.hunting.per-minute") int huntingPerMinute,
                             @PropertyInject("bridge.hunting.per-hour") int huntingPerHour,
                             @PropertyInject("bridge.defender.quota-window-ms") long minute,
                             @BeanInject("store") DeliveryStore store) {
        // a benchmark or test that shortens the minute shortens the hour alike
        long hour = 60 * minute;
        // the windows live in the store, shared by every instance on it
        return new TenantPacer(Map.of(
                new TenantPacer.Kind(DefenderRequest.Service.defender, true), TenantPacer.Quota.of(new QuotaWindow(defenderCreates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.defender, false), TenantPacer.Quota.of(
                        new QuotaWindow(defenderUpdates, minute), new QuotaWindow(defenderUpdatesPerHour, hour)),
                new TenantPacer.Kind(DefenderRequest.Service.graph, true), TenantPacer.Quota.of(new QuotaWindow(graphCreates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.graph, false), TenantPacer.Quota.of(new QuotaWindow(graphUpdates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.hunting, false), TenantPacer.Quota.of(
                        new QuotaWindow(huntingPerMinute, minute), new QuotaWindow(huntingPerHour, hour))), store);
    }

    @BindToRegistry("eventValidator")
    public EventValidator eventValidator() {
        return new EventValidator();
    }

    @BindToRegistry("inboundMessages")
    public InboundMessages inboundMessages() {
        return new InboundMessages();
    }

    @BindToRegistry("eventFacts")
    public EventFacts eventFacts(@BeanInject("eventValidator") EventValidator validator) {
        return new EventFacts(validator);
    }

    /** The vendor formats (interface.md 4b): the mapping files of bridge.formats-dir; one with an error refuses the start. */
    @BindToRegistry("vendorFormats")
    public VendorFormats vendorFormats() {
        return new VendorFormats(Path.of(formatsDir));
    }

    @BindToRegistry("alerts")
    public AlertApis alerts() {
        return new AlertApis();
    }

    @BindToRegistry("dryRunLog")
    public DryRunLog dryRunLog() {
        return new DryRunLog(Path.of(dataDir, "dry-run-alerts.jsonl"));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
