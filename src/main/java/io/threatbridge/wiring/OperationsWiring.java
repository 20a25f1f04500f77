package io.threatbridge.wiring;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.threatbridge.console.BridgeConsole;
import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.health.PartHealthCheck;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.lanes.DeliveryLanes;
import io.threatbridge.logging.EmailMask;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.ops.DeadLetters;
import io.threatbridge.ops.Operations;
import io.threatbridge.route.IntegrationCounters;
import io.threatbridge.route.IntegrationsReload;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.StartupListener;
import org.apache.camel.health.HealthCheckRegistry;

/**
 * Operations: the integrations' counters (JMX MBeans, Prometheus metrics, health), the dead letters'
 * MBean, the reload of the integrations file, the lanes' gauges, e-mail masking in logs, and the
 * onboarding console (off unless bridge.console.enabled, its own port: docs/operations.md).
 */
public class OperationsWiring implements CamelConfiguration {

    @PropertyInject("bridge.log.mask-emails")
    boolean maskEmails;

    @BindToRegistry("operations")
    public Operations operations(CamelContext context, @BeanInject("integrationRegistry") IntegrationRegistry integrations,
                                 @BeanInject("connectionFactory") ConnectionFactory connections,
                                 @BeanInject("deliveryLanes") DeliveryLanes lanes,
                                 @PropertyInject("bridge.queue.dlq") String deadLetterQueue, @PropertyInject("bridge.queue.inbound") String inboundQueue,
                                 @PropertyInject("bridge.health.integration-failures") long failuresToReport) throws Exception {
        return Once.bind(context, "operations", Operations.class, () -> {
            Operations operations = new Operations(context, integrations.all(), new DeadLetters(connections, deadLetterQueue, inboundQueue),
                    failuresToReport, lanes);
            context.addService(operations, true);
            return operations;
        });
    }

    @BindToRegistry("integrationsReload")
    public IntegrationsReload integrationsReload(CamelContext context, @BeanInject("integrationRegistry") IntegrationRegistry integrations,
                                                 @BeanInject("operations") Operations operations,
                                                 @BeanInject("deliveryLanes") DeliveryLanes lanes) throws Exception {
        return Once.bind(context, "integrationsReload", IntegrationsReload.class, () -> {
            IntegrationsReload reload = new IntegrationsReload(context, integrations, operations, lanes);
            HealthCheckRegistry.get(context).register(new PartHealthCheck("integrations-file", reload::problem));
            return reload;
        });
    }

    @BindToRegistry("console")
    public BridgeConsole console(CamelContext context, @BeanInject("integrationRegistry") IntegrationRegistry integrations,
                                 @BeanInject("operations") Operations operations, @BeanInject("tenantTokens") TenantTokens tokens,
                                 @BeanInject("deliveryLanes") DeliveryLanes lanes, @BeanInject("deliveryMode") DeliveryMode mode) throws Exception {
        return Once.bind(context, "console", BridgeConsole.class, () -> {
            BridgeConsole console = new BridgeConsole(context, integrations, operations, tokens, mode.dryRun(), lanes);
            context.addService(console, true);
            return console;
        });
    }

    /** The routes count each event here (routes/ingest.camel.yaml, delivery.camel.yaml, error-handling.camel.yaml). */
    @BindToRegistry("integrationCounters")
    public IntegrationCounters integrationCounters(@BeanInject("operations") Operations operations) {
        return new IntegrationCounters(operations);
    }

    @Override
    public void configure(CamelContext context) throws Exception {
        EmailMask.enable(maskEmails);
        DeliveryLanes lanes = context.getRegistry().lookupByNameAndType("deliveryLanes", DeliveryLanes.class);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                MeterRegistry meters = started.getRegistry().findSingleByType(MeterRegistry.class);
                if (meters != null) {
                    Gauge.builder("threatbridge.lanes.busy", lanes, DeliveryLanes::busyLanes)
                            .description("delivery lanes delivering now, of bridge.delivery.lanes").register(meters);
                    Gauge.builder("threatbridge.lanes.waiting", lanes, DeliveryLanes::waitingIntegrations)
                            .description("integrations with events waiting for a free lane").register(meters);
                    Gauge.builder("threatbridge.lanes.parked", lanes, DeliveryLanes::parkedIntegrations)
                            .description("integrations left alone until their tenant may be called or their events are due").register(meters);
                }
            }
        });
    }
}
