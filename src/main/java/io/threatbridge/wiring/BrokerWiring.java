package io.threatbridge.wiring;

import io.threatbridge.broker.BrokerConnection;
import io.threatbridge.broker.BrokerCredentials;
import io.threatbridge.broker.KnownQueues;
import io.threatbridge.health.PartHealthCheck;
import jakarta.jms.ConnectionFactory;
import org.apache.camel.BeanInject;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import org.springframework.jms.support.destination.DestinationResolver;

import java.nio.file.Path;
import java.util.Map;

/**
 * The broker connection: the embedded broker when bridge.broker.url is empty, a pooled connection
 * factory either way. A service of the context: it comes up before the first route consumes and
 * goes down after the last route has stopped.
 */
public class BrokerWiring implements CamelConfiguration {

    @BindToRegistry("broker")
    public BrokerConnection broker(CamelContext context, @PropertyInject("bridge.broker.url") String url,
                                   @PropertyInject("bridge.broker.user") String user, @PropertyInject("bridge.broker.password") String password,
                                   @PropertyInject("bridge.data-dir") String dataDir,
                                   @BeanInject("embeddedBrokerSettings") Map<String, String> embeddedSettings) throws Exception {
        return Once.bind(context, "broker", BrokerConnection.class, () -> {
            BrokerConnection broker = url.isBlank()
                    ? BrokerConnection.embedded(Path.of("artemis", "broker.xml"), embeddedSettings,
                            BrokerCredentials.forEmbeddedBroker(user, password, Path.of(dataDir)))
                    : BrokerConnection.external(url, Once.blankToNull(user), Once.blankToNull(password));
            // started with the context, before any route consumes; stopped after the last route
            context.addService(broker, true);
            HealthCheckRegistry.get(context).register(new PartHealthCheck("broker", broker::problem));
            return broker;
        });
    }

    /** The settings artemis/broker.xml refers to as ${key}: where the embedded broker keeps its data, its port, its queues. */
    @BindToRegistry("embeddedBrokerSettings")
    public Map<String, String> embeddedBrokerSettings(@PropertyInject("bridge.data-dir") String dataDir,
                                                      @PropertyInject("bridge.embedded-broker.port") String port,
                                                      @PropertyInject("bridge.queue.inbound") String inbound, @PropertyInject("bridge.queue.invalid") String invalid,
                                                      @PropertyInject("bridge.queue.dlq") String deadLetters, @PropertyInject("bridge.queue.wake") String wake) {
        return Map.of("bridge.data-dir", Path.of(dataDir).toAbsolutePath().toString(), "bridge.embedded-broker.port", port,
                "bridge.queue.inbound", inbound, "bridge.queue.invalid", invalid, "bridge.queue.dlq", deadLetters, "bridge.queue.wake", wake);
    }

    /** The JMS component's connections (routes), and the sends of the delivery lanes, the dead letters and the console. */
    @BindToRegistry("connectionFactory")
    public ConnectionFactory connectionFactory(@BeanInject("broker") BrokerConnection broker,
                                               @PropertyInject("bridge.ingest.consumers") int ingestConsumers,
                                               @PropertyInject("bridge.sentinel.max-integrations") int maxSentinel) {
        // the routes' sessions come from one pool that blocks when it is spent: refuse a start that could
        broker.requireSessions(ingestConsumers + maxSentinel, "bridge.ingest.consumers + bridge.sentinel.max-integrations");
        return broker.connectionFactory();
    }

    /** The routes' queues, each queue object made once (camel.component.jms.destination-resolver). */
    @BindToRegistry("jmsDestinations")
    public DestinationResolver jmsDestinations() {
        return new KnownQueues();
    }
}
