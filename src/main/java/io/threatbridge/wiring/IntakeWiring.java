package io.threatbridge.wiring;

import io.threatbridge.broker.InboundMessages;
import io.threatbridge.event.EventValidator;
import io.threatbridge.format.VendorFormats;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.integration.IntegrationsFile;
import io.threatbridge.route.Integrations;
import io.threatbridge.route.LevelFilter;
import io.threatbridge.route.ThreatEvents;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.nio.file.Path;

/**
 * Event intake (routes/ingest.camel.yaml): the messages, the vendor formats, the event's validation,
 * and the integrations in force. Made first: a refused integrations file or formats folder stops the
 * start before the broker or the store are made.
 */
public class IntakeWiring implements CamelConfiguration {

    /** The integrations file, read and checked; reloaded by integrationsReload. */
    @BindToRegistry("integrationRegistry")
    public IntegrationRegistry integrationRegistry(CamelContext context,
                                                   @PropertyInject("bridge.integrations-file") String file,
                                                   @PropertyInject("bridge.defender.api-url") String defenderApiUrl,
                                                   @PropertyInject(value = "bridge.sentinel.allowed-hosts", defaultValue = "") String sentinelHosts,
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
    public VendorFormats vendorFormats(CamelContext context, @PropertyInject("bridge.formats-dir") String dir) throws Exception {
        return Once.bind(context, "vendorFormats", VendorFormats.class, () -> new VendorFormats(Path.of(dir)));
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
