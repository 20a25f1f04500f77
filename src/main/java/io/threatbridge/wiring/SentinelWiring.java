package io.threatbridge.wiring;

import io.threatbridge.delivery.RetrySchedule;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.event.EventValidator;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.ops.Operations;
import io.threatbridge.sentinel.SentinelBatches;
import io.threatbridge.store.DeliveryStore;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.nio.file.Path;

/** api: sentinel integrations (routes/sentinel.camel.yaml): their events in batches, one JMS transaction per batch. */
public class SentinelWiring implements CamelConfiguration {

    @BindToRegistry("sentinelBatches")
    public SentinelBatches sentinelBatches(CamelContext context, @BeanInject("connectionFactory") ConnectionFactory connections,
                                           @BeanInject("integrationRegistry") IntegrationRegistry integrations, @BeanInject("eventValidator") EventValidator validator,
                                           @BeanInject("store") DeliveryStore store, @BeanInject("operations") Operations operations,
                                           @BeanInject("tenantTokens") TenantTokens tokens, @BeanInject("tenantGates") TenantGate gates,
                                           @BeanInject("retryPolicy") RetrySchedule retries,
                                           @BeanInject("sentinelLimits") SentinelBatches.Limits limits,
                                           @PropertyInject("bridge.queue.dlq") String deadLetterQueue, @PropertyInject("bridge.data-dir") String dataDir)
            throws Exception {
        return Once.bind(context, "sentinelBatches", SentinelBatches.class, () -> new SentinelBatches(connections, integrations, validator,
                store, operations, tokens, gates, retries, limits, deadLetterQueue, Path.of(dataDir, "dry-run-sentinel.jsonl")));
    }

    /** A batch's size: rows, bytes per call, and how long it waits for rows after the first. */
    @BindToRegistry("sentinelLimits")
    public SentinelBatches.Limits sentinelLimits(@PropertyInject("bridge.sentinel.max-rows") int maxRows,
                                                 @PropertyInject("bridge.sentinel.max-call-bytes") int maxCallBytes,
                                                 @PropertyInject("bridge.sentinel.batch-wait-ms") long batchWaitMs) {
        return new SentinelBatches.Limits(maxRows, maxCallBytes, batchWaitMs);
    }
}
