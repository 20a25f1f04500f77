package io.threatbridge.routes;

import io.threatbridge.broker.InboundMessages;
import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.delivery.RetrySchedule;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.delivery.TenantPacer;
import io.threatbridge.delivery.UnansweredCreates;
import io.threatbridge.event.EventValidator;
import io.threatbridge.format.VendorFormats;
import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.microsoft.AlertApis;
import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.DeviceAnchors;
import io.threatbridge.microsoft.DryRunLog;
import io.threatbridge.microsoft.ServiceUrls;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.ops.DeadLetters;
import io.threatbridge.ops.Operations;
import io.threatbridge.route.AlertRequests;
import io.threatbridge.route.AnchorSteps;
import io.threatbridge.route.DeliveryHistory;
import io.threatbridge.route.DryRunSteps;
import io.threatbridge.route.IntegrationCounters;
import io.threatbridge.route.Integrations;
import io.threatbridge.route.IntegrationsReload;
import io.threatbridge.route.LevelFilter;
import io.threatbridge.route.MicrosoftCall;
import io.threatbridge.route.PacerSteps;
import io.threatbridge.route.QueuedEvent;
import io.threatbridge.route.ReplySteps;
import io.threatbridge.route.RetrySteps;
import io.threatbridge.route.TenantGateSteps;
import io.threatbridge.route.ThreatEvents;
import io.threatbridge.route.TokenSteps;
import io.threatbridge.route.UnansweredCreateSteps;
import io.threatbridge.route.VendorFormatSteps;
import io.threatbridge.sentinel.SentinelBatches;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.QuotaWindow;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The beans the YAML routes call by name, for the fast route tests: the bridge's own classes, as
 * the classes of {@code io.threatbridge.wiring} bind them from the same bridge.* settings, but with
 * no broker (a connection factory that refuses any use), an in-memory H2 store (real JDBC, Flyway's
 * schema) and {@link StubTokens} instead of msal4j; the routes of api: sentinel integrations are
 * made by the bridge's own IntegrationRoutes. The one place the route tests know the beans'
 * classes and constructors.
 */
public final class RouteTestBeans implements CamelConfiguration {

    private final String integrationsYaml;
    private final String storeUrl = "jdbc:h2:mem:route-test-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    private DeliveryStore store;
    private StubTokens tokens;
    private TenantGate gate;
    private IntegrationRegistry integrations;
    private Operations operations;

    private final ConnectionFactory sentinelJms;

    /** @param integrationsYaml the integrations file the test's routes see */
    public RouteTestBeans(String integrationsYaml) {
        this(integrationsYaml, null);
    }

    /**
     * @param sentinelJms the JMS of Sentinel's batches, which take their events in a session of their
     *                    own (InMemoryQueues); null: none, any use fails
     */
    public RouteTestBeans(String integrationsYaml, ConnectionFactory sentinelJms) {
        this.integrationsYaml = integrationsYaml;
        this.sentinelJms = sentinelJms;
    }

    /** The route builder that makes a route of the sentinel-delivery template for each api: sentinel integration. */
    public static Class<? extends org.apache.camel.RoutesBuilder> integrationRoutes() {
        return io.threatbridge.route.IntegrationRoutes.class;
    }

    /** The id of an api: sentinel integration's route. */
    public static String sentinelRouteId(String integration) {
        return io.threatbridge.route.IntegrationRoutes.routeId(integration);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        Path dir = Files.createTempDirectory("route-test");
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, integrationsYaml);
        integrations = new IntegrationRegistry(file, property(context, "bridge.defender.api-url"));
        store = new DeliveryStore(storeUrl, null, null);
        // closed with the context
        context.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                store.close();
            }
        }, true);
        ConnectionFactory noBroker = noBroker();
        gate = new TenantGate();
        tokens = new StubTokens(property(context, "bridge.auth.authority-url"));
        DeliveryControl lanes = new NoLanes();
        operations = new Operations(context, integrations.all(), new DeadLetters(noBroker,
                property(context, "bridge.queue.dlq"), property(context, "bridge.queue.inbound")),
                Long.parseLong(property(context, "bridge.health.integration-failures")), lanes);
        EventValidator validator = new EventValidator();
        RetrySchedule retries = new RetrySchedule(Integer.parseInt(property(context, "bridge.delivery.max-attempts")),
                Long.parseLong(property(context, "bridge.delivery.initial-delay-ms")),
                Long.parseLong(property(context, "bridge.delivery.max-delay-ms")));
        long minute = Long.parseLong(property(context, "bridge.defender.quota-window-ms"));
        TenantPacer pacer = new TenantPacer(Map.of(
                new TenantPacer.Kind(DefenderRequest.Service.defender, true), quota(context, minute, "bridge.defender.create-per-minute"),
                new TenantPacer.Kind(DefenderRequest.Service.defender, false), TenantPacer.Quota.of(
                        new QuotaWindow(intProperty(context, "bridge.defender.update-per-minute"), minute),
                        new QuotaWindow(intProperty(context, "bridge.defender.update-per-hour"), 60 * minute)),
                new TenantPacer.Kind(DefenderRequest.Service.graph, true), quota(context, minute, "bridge.graph.create-per-minute"),
                new TenantPacer.Kind(DefenderRequest.Service.graph, false), quota(context, minute, "bridge.graph.update-per-minute"),
                new TenantPacer.Kind(DefenderRequest.Service.hunting, false), TenantPacer.Quota.of(
                        new QuotaWindow(intProperty(context, "bridge.hunting.per-minute"), minute),
                        new QuotaWindow(intProperty(context, "bridge.hunting.per-hour"), 60 * minute))), store);

        var registry = context.getRegistry();
        registry.bind("connectionFactory", ConnectionFactory.class, noBroker);
        registry.bind("jmsDestinations", new io.threatbridge.broker.KnownQueues());
        registry.bind("deliveryMode", new DeliveryMode(false));
        registry.bind("integrationRegistry", integrations);
        registry.bind("integrations", new Integrations(integrations));
        registry.bind("tenantGates", gate);
        registry.bind("tenantGate", new TenantGateSteps(gate));
        registry.bind("tenantTokens", TenantTokens.class, tokens);
        registry.bind("tokens", new TokenSteps(tokens));
        registry.bind("operations", operations);
        registry.bind("integrationCounters", new IntegrationCounters(operations));
        registry.bind("integrationsReload", new IntegrationsReload(context, integrations, operations, lanes));
        registry.bind("store", store);
        registry.bind("deliveryHistory", new DeliveryHistory(store));
        registry.bind("eventValidator", validator);
        registry.bind("inboundMessages", new InboundMessages());
        registry.bind("threatEvents", new ThreatEvents(validator));
        registry.bind("levelFilter", new LevelFilter());
        registry.bind("queuedEvent", new QueuedEvent());
        registry.bind("vendorFormats", new VendorFormatSteps(new VendorFormats(Path.of(property(context, "bridge.formats-dir")))));
        registry.bind("defenderReply", new ReplySteps(new DefenderReply(tokens)));
        registry.bind("microsoftCall", new MicrosoftCall(new ServiceUrls(property(context, "bridge.graph.api-url"),
                property(context, "bridge.hunting.api-url"))));
        // live: the anchors hunting finds are remembered in the store
        registry.bind("deviceAnchors", new AnchorSteps(new DeviceAnchors(store, true)));
        registry.bind("unansweredCreates", new UnansweredCreateSteps(new UnansweredCreates(
                Long.parseLong(property(context, "bridge.http.connect-timeout-ms")),
                Long.parseLong(property(context, "bridge.http.response-timeout-ms")))));
        registry.bind("retryPolicy", retries);
        registry.bind("retrySchedule", new RetrySteps(retries));
        registry.bind("pacer", new PacerSteps(pacer));
        registry.bind("alerts", new AlertRequests(new AlertApis()));
        registry.bind("dryRunLog", new DryRunSteps(new DryRunLog(dir.resolve("dry-run-alerts.jsonl"))));
        registry.bind("sentinelBatches", new SentinelBatches(sentinelJms == null ? noBroker : sentinelJms, integrations, validator, store, operations, tokens, gate, retries,
                new SentinelBatches.Limits(intProperty(context, "bridge.sentinel.max-rows"), intProperty(context, "bridge.sentinel.max-call-bytes"),
                        Long.parseLong(property(context, "bridge.sentinel.batch-wait-ms"))),
                property(context, "bridge.queue.dlq"), dir.resolve("dry-run-sentinel.jsonl")));
    }

    public DeliveryStore store() {
        return store;
    }

    public StubTokens tokens() {
        return tokens;
    }

    /** How many events the integration filtered out (its level, or disabled): the counter operators see. */
    public long filtered(String integration) {
        return operations.of(integration).getFiltered();
    }

    /** Until when the tenant gate keeps the integration's calls to a service back (429, circuit), or null. */
    public java.time.Instant closedUntil(String integration) {
        return gate.closedUntil(integrations.byName(integration));
    }

    /** The store's database, for a test that must set what no route step can (a pending create sent long ago). */
    public java.sql.Connection storeConnection() throws java.sql.SQLException {
        return java.sql.DriverManager.getConnection(storeUrl);
    }

    private static TenantPacer.Quota quota(CamelContext context, long minute, String key) {
        return TenantPacer.Quota.of(new QuotaWindow(intProperty(context, key), minute));
    }

    private static int intProperty(CamelContext context, String key) {
        return Integer.parseInt(property(context, key));
    }

    private static String property(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + "}}");
    }

    /** A connection factory for the jms component's setting: any use of it fails the test (the route tests have no broker). */
    private static ConnectionFactory noBroker() {
        return (ConnectionFactory) Proxy.newProxyInstance(RouteTestBeans.class.getClassLoader(), new Class<?>[] {ConnectionFactory.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "toString" -> "no broker (route test)";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalStateException("a route test has no broker: " + method.getName());
                });
    }

    /**
     * Azure AD's client-credentials tokens as the routes see them, without msal4j: one token per
     * tenant and service until the service refuses it (401), then a new one. Each token is distinct,
     * so a test can tell a retry's token from the first.
     */
    public static final class StubTokens extends TenantTokens {

        private final AtomicInteger issued = new AtomicInteger();
        private final Map<String, String> current = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> perTenantService = new ConcurrentHashMap<>();

        StubTokens(String authorityUrl) {
            super("route-test-client", null, authorityUrl, Map.of(DefenderRequest.Service.defender, "defender",
                    DefenderRequest.Service.graph, "graph", DefenderRequest.Service.hunting, "graph",
                    DefenderRequest.Service.sentinel, "sentinel"), 1000, 1000);
        }

        @Override
        public String authorization(Integration integration, DefenderRequest.Service service) {
            String key = key(integration.tenantId(), service);
            return "Bearer " + current.computeIfAbsent(key, k -> {
                perTenantService.computeIfAbsent(k, x -> new AtomicInteger()).incrementAndGet();
                return "stub-token-" + issued.incrementAndGet();
            });
        }

        @Override
        public void invalidate(Integration integration, DefenderRequest.Service service) {
            current.remove(key(integration.tenantId(), service));
        }

        /** How many tokens were issued for the tenant and service (defender, graph, hunting, sentinel). */
        public int issued(String tenantId, String service) {
            AtomicInteger count = perTenantService.get(key(tenantId, DefenderRequest.Service.valueOf(service)));
            return count == null ? 0 : count.get();
        }

        /** As TenantTokens keys them, by scope: hunting and Graph's alerts share Graph's token. */
        private static String key(String tenantId, DefenderRequest.Service service) {
            return tenantId + " " + (service == DefenderRequest.Service.hunting ? DefenderRequest.Service.graph : service);
        }
    }

    /** No delivery lanes: the tests hand each event to direct:defender-delivery themselves. */
    private static final class NoLanes implements DeliveryControl {
        @Override
        public void pause(String integration) {
        }

        @Override
        public void resume(String integration) {
        }

        @Override
        public boolean isPaused(String integration) {
            return false;
        }

        @Override
        public void lookForEvents(Collection<String> integrations) {
        }

        @Override
        public boolean isConsuming(String integration) {
            return true;
        }
    }
}
