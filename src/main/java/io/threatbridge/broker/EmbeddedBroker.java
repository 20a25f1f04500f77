package io.threatbridge.broker;

import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.camel.support.service.ServiceSupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The broker the bridge starts when bridge.broker.url is empty. A Camel service, so the context
 * starts it before any route consumes and stops it after the last route has finished.
 */
public class EmbeddedBroker extends ServiceSupport {

    private final Path brokerXml;
    private final Map<String, String> settings;
    private EmbeddedActiveMQ server;

    /** @param settings the bridge settings broker.xml refers to as ${key} */
    public EmbeddedBroker(Path brokerXml, Map<String, String> settings) {
        this.brokerXml = brokerXml;
        this.settings = Map.copyOf(settings);
    }

    @Override
    protected void doStart() throws Exception {
        if (!Files.isReadable(brokerXml)) {
            throw new IllegalStateException(brokerXml.toAbsolutePath() + " not found: run the bridge from the directory that holds artemis/");
        }
        // Artemis fills ${...} in broker.xml from system properties
        settings.forEach(System::setProperty);
        server = new EmbeddedActiveMQ();
        server.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
        server.start();
        // Artemis logs a port it cannot bind and carries on; a bridge without its acceptors must not
        for (var acceptor : server.getActiveMQServer().getRemotingService().getAcceptors().entrySet()) {
            if (!acceptor.getValue().isStarted()) {
                server.stop();
                throw new IllegalStateException("embedded broker: acceptor " + acceptor.getKey()
                        + " did not start (is bridge.embedded-broker.port in use?)");
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
