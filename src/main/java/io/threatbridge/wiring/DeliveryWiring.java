package io.threatbridge.wiring;

import io.threatbridge.broker.BrokerConnection;
import io.threatbridge.delivery.RetrySchedule;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.delivery.TenantPacer;
import io.threatbridge.delivery.UnansweredCreates;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.lanes.DeliveryLanes;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.route.PacerSteps;
import io.threatbridge.route.QueuedEvent;
import io.threatbridge.route.RetrySteps;
import io.threatbridge.route.TenantGateSteps;
import io.threatbridge.route.UnansweredCreateSteps;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.QuotaWindow;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.support.LifecycleStrategySupport;

import java.util.Map;

/**
 * Delivery policy and the delivery lanes: the tenant gate (Retry-After, circuit), the quota pacer,
 * the retry schedule, the settling of unanswered creates, and the lanes that hand each integration's
 * events to routes/delivery.camel.yaml.
 */
public class DeliveryWiring implements CamelConfiguration {

    /** Each integration's own queue is this, a dot, and its name (routes/ingest.camel.yaml sends there). */
    static final String DELIVERY_QUEUE_PREFIX = "defender.out";

    /** What a retry or a dead letter puts back, kept first in routes/delivery.camel.yaml. */
    @BindToRegistry("queuedEvent")
    public QueuedEvent queuedEvent() {
        return new QueuedEvent();
    }

    /** Every tenant's gate; shared by the delivery routes, the lanes (which leave a closed tenant alone) and Sentinel. */
    @BindToRegistry("tenantGates")
    public TenantGate tenantGates(CamelContext context) throws Exception {
        return Once.bind(context, "tenantGates", TenantGate.class, TenantGate::new);
    }

    @BindToRegistry("tenantGate")
    public TenantGateSteps tenantGate(@BeanInject("tenantGates") TenantGate gates) {
        return new TenantGateSteps(gates);
    }

    /** The quota windows live in the store, shared by every instance on it. */
    @BindToRegistry("pacer")
    public PacerSteps pacer(CamelContext context, @BeanInject("store") DeliveryStore store,
                            @PropertyInject("bridge.defender.quota-window-ms") long minute,
                            @PropertyInject("bridge.defender.create-per-minute") int defenderCreates,
                            @PropertyInject("bridge.defender.update-per-minute") int defenderUpdates, @PropertyInject("bridge.defender.update-per-hour") int defenderUpdatesPerHour,
                            @PropertyInject("bridge.graph.create-per-minute") int graphCreates, @PropertyInject("bridge.graph.update-per-minute") int graphUpdates,
                            @PropertyInject("bridge.hunting.per-minute") int huntingPerMinute, @PropertyInject("bridge.hunting.per-hour") int huntingPerHour)
            throws Exception {
        // a benchmark or test that shortens the minute shortens the hour alike
        long hour = 60 * minute;
        return Once.bind(context, "pacer", PacerSteps.class, () -> new PacerSteps(new TenantPacer(Map.of(
                new TenantPacer.Kind(DefenderRequest.Service.defender, true), TenantPacer.Quota.of(new QuotaWindow(defenderCreates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.defender, false), TenantPacer.Quota.of(
                        new QuotaWindow(defenderUpdates, minute), new QuotaWindow(defenderUpdatesPerHour, hour)),
                new TenantPacer.Kind(DefenderRequest.Service.graph, true), TenantPacer.Quota.of(new QuotaWindow(graphCreates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.graph, false), TenantPacer.Quota.of(new QuotaWindow(graphUpdates, minute)),
                new TenantPacer.Kind(DefenderRequest.Service.hunting, false), TenantPacer.Quota.of(
                        new QuotaWindow(huntingPerMinute, minute), new QuotaWindow(huntingPerHour, hour))), store)));
    }

    @BindToRegistry("retryPolicy")
    public RetrySchedule retryPolicy(@PropertyInject("bridge.delivery.max-attempts") int maxAttempts,
                                     @PropertyInject("bridge.delivery.initial-delay-ms") long initialDelayMs,
                                     @PropertyInject("bridge.delivery.max-delay-ms") long maxDelayMs) {
        return new RetrySchedule(maxAttempts, initialDelayMs, maxDelayMs);
    }

    @BindToRegistry("retrySchedule")
    public RetrySteps retrySchedule(@BeanInject("retryPolicy") RetrySchedule schedule) {
        return new RetrySteps(schedule);
    }

    @BindToRegistry("unansweredCreates")
    public UnansweredCreateSteps unansweredCreates(@PropertyInject("bridge.http.connect-timeout-ms") long connectTimeoutMs,
                                                   @PropertyInject("bridge.http.response-timeout-ms") long responseTimeoutMs) {
        return new UnansweredCreateSteps(new UnansweredCreates(connectTimeoutMs, responseTimeoutMs));
    }

    /**
     * Every Defender and Graph integration's events, on a fixed number of threads; started once the
     * routes run, stopped before they stop, so no event is taken that no route could deliver.
     */
    @BindToRegistry("deliveryLanes")
    public DeliveryLanes deliveryLanes(CamelContext context, @BeanInject("broker") BrokerConnection broker,
                                       @BeanInject("integrationRegistry") IntegrationRegistry integrations,
                                       @BeanInject("tenantGates") TenantGate gates,
                                       @PropertyInject("bridge.queue.wake") String wakeQueue,
                                       @PropertyInject("bridge.delivery.lanes") int lanes, @PropertyInject("bridge.delivery.events-per-turn") int eventsPerTurn,
                                       @PropertyInject("bridge.delivery.rescan-ms") long rescanMs) throws Exception {
        return Once.bind(context, "deliveryLanes", DeliveryLanes.class, () -> {
            DeliveryLanes made = new DeliveryLanes(context, broker.laneConnectionFactory(), broker.wakeConnectionFactory(),
                    broker.connectionFactory(), integrations, gates,
                    wakeQueue, DELIVERY_QUEUE_PREFIX, lanes, eventsPerTurn, rescanMs);
            context.addStartupListener(new StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                    made.start();
                }
            });
            context.addLifecycleStrategy(new LifecycleStrategySupport() {
                @Override
                public void onContextStopping(CamelContext stopping) {
                    made.stop();
                }
            });
            return made;
        });
    }
}
