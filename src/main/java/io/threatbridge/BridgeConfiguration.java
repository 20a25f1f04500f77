package io.threatbridge;

import io.threatbridge.broker.BrokerConnection;
import io.threatbridge.defender.DefenderAlertMapper;
import io.threatbridge.defender.DryRunLog;
import io.threatbridge.event.EventValidator;
import io.threatbridge.integration.IntegrationRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;

import java.nio.file.Path;
import java.util.Map;

/** The beans the routes call by name, built from the bridge.* settings (interface.md section 2). */
public class BridgeConfiguration implements CamelConfiguration {

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
    @PropertyInject("bridge.defender.api-url")
    String defenderApiUrl;

    @Override
    public void configure(CamelContext context) throws Exception {
        BrokerConnection broker = brokerUrl.isBlank()
                ? BrokerConnection.embedded(Path.of("artemis", "broker.xml"), Map.of(
                        "bridge.data-dir", Path.of(dataDir).toAbsolutePath().toString(),
                        "bridge.embedded-broker.port", context.resolvePropertyPlaceholders("{{bridge.embedded-broker.port}}"),
                        "bridge.queue.inbound", context.resolvePropertyPlaceholders("{{bridge.queue.inbound}}"),
                        "bridge.queue.invalid", context.resolvePropertyPlaceholders("{{bridge.queue.invalid}}"),
                        "bridge.queue.dlq", context.resolvePropertyPlaceholders("{{bridge.queue.dlq}}")))
                : BrokerConnection.external(brokerUrl, blankToNull(brokerUser), blankToNull(brokerPassword));
        // up before the context starts any consumer; the context stops it after the last route
        broker.start();
        context.addService(broker, true);
        context.getRegistry().bind("connectionFactory", broker.connectionFactory());
    }

    @BindToRegistry("integrations")
    public IntegrationRegistry integrations() {
        return new IntegrationRegistry(Path.of(integrationsFile), defenderApiUrl);
    }

    @BindToRegistry("eventValidator")
    public EventValidator eventValidator() {
        return new EventValidator();
    }

    @BindToRegistry("alertMapper")
    public DefenderAlertMapper alertMapper() {
        return new DefenderAlertMapper();
    }

    @BindToRegistry("dryRunLog")
    public DryRunLog dryRunLog() {
        return new DryRunLog(Path.of(dataDir, "dry-run-alerts.jsonl"));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
