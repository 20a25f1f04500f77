package io.threatbridge.wiring;

import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.health.PartHealthCheck;
import io.threatbridge.microsoft.DeviceAnchors;
import io.threatbridge.route.DeliveryHistory;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.StoreRetention;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;

import java.nio.file.Path;
import java.time.Duration;

/** The store (delivered events, alerts, pending creates, anchors, quota windows), its retention and its health check. */
public class StoreWiring implements CamelConfiguration {

    /** Dry-run makes its alert ids up: they go to a store of its own, or the events it handled would count as done once live. */
    @BindToRegistry(value = "store", destroyMethod = "close")
    public DeliveryStore store(CamelContext context, @BeanInject("deliveryMode") DeliveryMode mode,
                               @PropertyInject("bridge.data-dir") String dataDir, @PropertyInject("bridge.store.url") String url,
                               @PropertyInject("bridge.store.user") String user, @PropertyInject("bridge.store.password") String password)
            throws Exception {
        return Once.bind(context, "store", DeliveryStore.class, () -> {
            DeliveryStore store = mode.dryRun() ? new DeliveryStore(DeliveryStore.dryRunUrl(Path.of(dataDir)), null, null)
                    : new DeliveryStore(url.isBlank() ? DeliveryStore.defaultUrl(Path.of(dataDir)) : url, Once.blankToNull(user),
                    Once.blankToNull(password));
            HealthCheckRegistry.get(context).register(new PartHealthCheck("store", store::problem));
            return store;
        });
    }

    /** Deletes what the store no longer keeps, in the background while the context runs (docs/operations.md). */
    @BindToRegistry("storeRetention")
    public StoreRetention storeRetention(CamelContext context, @BeanInject("store") DeliveryStore store,
                                         @PropertyInject("bridge.store.retention") String retention,
                                         @PropertyInject("bridge.store.retention-interval-ms") long intervalMs,
                                         @PropertyInject("bridge.defender.quota-window-ms") long quotaWindowMs,
                                         @PropertyInject("bridge.delivery.max-attempts") int maxAttempts, @PropertyInject("bridge.delivery.max-delay-ms") long maxDelayMs)
            throws Exception {
        return Once.bind(context, "storeRetention", StoreRetention.class, () -> {
            StoreRetention made = new StoreRetention(store, new StoreRetention.Ages(retention(retention, maxAttempts, maxDelayMs), DeviceAnchors.REUSE,
                    Duration.ofMillis(60 * quotaWindowMs)), Duration.ofMillis(intervalMs));
            context.addService(new Lifecycle(made::start, made::stop), true);
            return made;
        });
    }

    /** routes/delivery.camel.yaml: what the store knows of an event and what the delivery tells it. */
    @BindToRegistry("deliveryHistory")
    public DeliveryHistory deliveryHistory(@BeanInject("store") DeliveryStore store) {
        return new DeliveryHistory(store);
    }

    /**
     * bridge.store.retention, refused when a copy of a finished event could still come back after it:
     * each of max-attempts attempts waits up to max-delay-ms, or a Retry-After of up to an hour
     * (DefenderReply), so a retried event may be delivered that long after its first copy.
     */
    static Duration retention(String setting, int maxAttempts, long maxDelayMs) {
        Duration retention = StoreRetention.parse(setting);
        Duration retries = Duration.ofMillis(Math.max(maxDelayMs, Duration.ofHours(1).toMillis())).multipliedBy(maxAttempts);
        if (retention.compareTo(retries) <= 0) {
            throw new IllegalArgumentException("bridge.store.retention " + setting + " must be longer than the retries of an event ("
                    + retries + ": bridge.delivery.max-attempts times the longer of max-delay-ms and an hour)");
        }
        return retention;
    }
}
