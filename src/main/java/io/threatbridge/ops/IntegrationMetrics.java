package io.threatbridge.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.function.ToDoubleFunction;

/** An integration's counters as Prometheus counters labelled by integration (threatbridge_delivered_total{integration="..."}). */
final class IntegrationMetrics {

    private IntegrationMetrics() {
    }

    /** Registered again after a reload: Micrometer keeps the first of the same name and tags. */
    static void register(MeterRegistry meters, IntegrationStats counters) {
        counter(meters, "threatbridge.delivered", "alerts delivered to Defender or Graph, rows to Sentinel", counters, IntegrationStats::getDelivered);
        counter(meters, "threatbridge.filtered", "events below the integration's filter level, or for a disabled integration", counters, IntegrationStats::getFiltered);
        counter(meters, "threatbridge.dead.lettered", "events put on the dead-letter queue", counters, IntegrationStats::getDeadLettered);
        counter(meters, "threatbridge.retried", "failed attempts that will be tried again", counters, IntegrationStats::getRetried);
        counter(meters, "threatbridge.rate.limited", "429 answers from Defender", counters, IntegrationStats::getRateLimited);
    }

    private static void counter(MeterRegistry meters, String name, String description, IntegrationStats counters,
                                ToDoubleFunction<IntegrationStats> value) {
        FunctionCounter.builder(name, counters, value).description(description)
                .tag("integration", counters.name()).register(meters);
    }
}
