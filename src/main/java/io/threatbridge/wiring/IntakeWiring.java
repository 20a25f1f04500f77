package io.threatbridge.wiring;

import io.threatbridge.broker.InboundMessages;
import io.threatbridge.delivery.DeliveryMode;
import io.threatbridge.event.EventValidator;
import io.threatbridge.format.VendorFormats;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.integration.IntegrationsFile;
import io.threatbridge.route.Integrations;
import io.threatbridge.route.LevelFilter;
import io.threatbridge.route.ThreatEvents;
import io.threatbridge.route.VendorFormatSteps;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * Event intake (routes/ingest.camel.yaml): the messages, the vendor formats, the event's validation,
 * the integrations in force, and the delivery mode they are delivered in. Made first: a refused
 * integrations file, formats folder or mode stops the start before the broker or the store are made.
 */
public class IntakeWiring implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeWiring.class);

    /** bridge.defender.mode: dry-run (also without a client id) writes each request down, live sends it. */
    @BindToRegistry("deliveryMode")
    public DeliveryMode deliveryMode(CamelContext context, @PropertyInject("bridge.defender.mode") String mode,
                                     @PropertyInject("bridge.auth.client-id") String clientId) throws Exception {
        return Once.bind(context, "deliveryMode", DeliveryMode.class, () -> {
            DeliveryMode made = DeliveryMode.of(mode, clientId);
            // for the routes, which take it as a placeholder, resolved once when they are built
            context.getPropertiesComponent().addOverrideProperty("bridge.delivery.dry-run", String.valueOf(made.dryRun()));
            LOG.info("Defender delivery mode: {}", made.name());
            return made;
        });
    }

    /** The integrations file, read and checked; reloaded by integrationsReload. */
    @BindToRegistry("integrationRegistry")
    public IntegrationRegistry integrationRegistry(CamelContext context,
                                                   @PropertyInject("bridge.integrations-file") String file,
                                                   @PropertyInject("bridge.defender.api-url") String defenderApiUrl,
                                                   @PropertyInject("bridge.sentinel.allowed-hosts") String sentinelHosts,
                                                   @PropertyInject("bridge.sentinel.max-integrations") int maxSentinel) throws Exception {
        return Once.bind(context, "integrationRegistry", IntegrationRegistry.class, () -> new IntegrationRegistry(Path.of(file),
                defenderApiUrl, IntegrationsFile.hostList(sentinelHosts), maxSentinel));
    }

    @BindToRegistry("integrations")
    public Integrations integrations(@BeanInject("integrationRegistry") IntegrationRegistry registry) {
        return new Integrations(registry);
    }

    /** The vendor formats (interface.md 4b): the mapping files of bridge.formats-dir; one with an error refuses the start. */
    @BindToRegistry("vendorFormats")
    public VendorFormatSteps vendorFormats(CamelContext context, @PropertyInject("bridge.formats-dir") String dir) throws Exception {
        return Once.bind(context, "vendorFormats", VendorFormatSteps.class, () -> new VendorFormatSteps(new VendorFormats(Path.of(dir))));
    }

    @BindToRegistry("inboundMessages")
    public InboundMessages inboundMessages() {
        return new InboundMessages();
    }

    @BindToRegistry("eventValidator")
    public EventValidator eventValidator() {
        return new EventValidator();
    }

    @BindToRegistry("threatEvents")
    public ThreatEvents threatEvents(@BeanInject("eventValidator") EventValidator validator) {
        return new ThreatEvents(validator);
    }

    @BindToRegistry("levelFilter")
    public LevelFilter levelFilter() {
        return new LevelFilter();
    }
}
