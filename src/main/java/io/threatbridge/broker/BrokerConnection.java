package io.threatbridge.broker;

import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.support.service.ServiceSupport;
import org.messaginghub.pooled.jms.JmsPoolConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The bridge's connection to its broker: a pooled JMS connection factory and, when
 * bridge.broker.url is empty, the embedded broker it connects to. As one Camel service it comes up
 * before any route consumes, and goes down after the last route has finished, pool before broker,
 * so no session is left waiting on a broker that is already gone.
 */
public class BrokerConnection extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnection.class);

    /** The embedded broker's in-VM acceptor (artemis/broker.xml): no TCP hop for the bridge's own traffic. */
    static final String EMBEDDED_URL = "vm://0";

    private final String url;
    private final String user;
    private final String password;
    private final Path brokerXml;
    private final Map<String, String> brokerSettings;
    private final BrokerCredentials embeddedLogin;
    private final JmsPoolConnectionFactory pool = new JmsPoolConnectionFactory();
    private volatile EmbeddedActiveMQ embedded;

    private BrokerConnection(String url, String user, String password, Path brokerXml, Map<String, String> brokerSettings,
                             BrokerCredentials embeddedLogin) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.brokerXml = brokerXml;
        this.brokerSettings = brokerSettings == null ? null : Map.copyOf(brokerSettings);
        this.embeddedLogin = embeddedLogin;
        ActiveMQConnectionFactory artemis = new ActiveMQConnectionFactory(url, user, password);
        if (brokerXml == null && !url.contains("reconnectAttempts")) {
            // an external broker restarts or fails over: keep reconnecting unless the URL says otherwise
            artemis.setReconnectAttempts(-1);
            artemis.setRetryInterval(1000);
            artemis.setRetryIntervalMultiplier(2.0);
            artemis.setMaxRetryInterval(30_000);
        }
        if (!url.contains("cacheDestinations")) {
            // without it every send asks the broker, three blocking round trips, whether its queue
            // exists (session.createQueue, then the producer's check). Cached, the check is made once
            // per queue and session. The price: a delivery queue an operator deletes while the bridge
            // runs is not made again until a restart (docs/operations.md)
            artemis.setCacheDestinations(true);
        }
        // the bridge never reads an ObjectMessage (InboundMessages refuses it by type); should
        // anything ever ask for one's body, no class may be deserialized
        artemis.setDeserializationDenyList("*");
        pool.setConnectionFactory(artemis);
        // a client that reconnects for ever fails over by itself (to the backup of a replicated pair,
        // or to the same broker restarted) and keeps its sessions and consumers: the pool must not
        // throw the connection away on the failover notice. One that gives up is replaced instead.
        pool.setFaultTolerantConnections(brokerXml == null && artemis.getReconnectAttempts() == -1);
    }

    /**
     * @param settings the bridge settings broker.xml refers to as ${key}
     * @param login    the one login the embedded broker takes, the bridge's own in-VM connection's too
     */
    public static BrokerConnection embedded(Path brokerXml, Map<String, String> settings, BrokerCredentials login) {
        return new BrokerConnection(EMBEDDED_URL, login.user(), login.password(), brokerXml, settings, login);
    }

    public static BrokerConnection external(String url, String user, String password) {
        return new BrokerConnection(url, user, password, null, null, null);
    }

    public ConnectionFactory connectionFactory() {
        return pool;
    }

    /** Sessions the bridge keeps for sends, browsing and operations beside its long-lived consumers. */
    static final int SPARE_SESSIONS = 50;

    /**
     * Refuses to start when the long-lived consumers ({@code consumers}: what {@code settings} add up
     * to) could take the pool's sessions: the pool would block the next send, not fail it.
     */
    public void requireSessions(int consumers, String settings) {
        int available = pool.getMaxSessionsPerConnection() * pool.getMaxConnections();
        if (consumers + SPARE_SESSIONS > available) {
            throw new IllegalStateException(settings + " = " + consumers + " broker sessions held by consumers, which with "
                    + SPARE_SESSIONS + " spare for sends leaves more than the connection pool's " + available);
        }
    }

    /**
     * A factory for the delivery lanes' own connection, not pooled: their sessions live as long as
     * the lanes. No prefetch (consumer window 0): a lane's consumer lives for one turn on one
     * integration, and events sent ahead to it would only go back to the queue when it closes.
     */
    public ActiveMQConnectionFactory laneConnectionFactory() {
        return ownConnectionFactory(0);
    }

    /**
     * A factory for the delivery lanes' wake consumer, not pooled, with a consumer window (64 KiB, a
     * few hundred wakes): the broker gives each new integration's wakes, a group, to the next consumer
     * in turn that has room, so with every instance's consumer holding room the instances share the
     * integrations about evenly. Without a window only a consumer waiting in receive has room, and
     * the instance that happens to be asking most often takes most of them (half of 5,000 in a run
     * of three instances).
     */
    public ActiveMQConnectionFactory wakeConnectionFactory() {
        return ownConnectionFactory(WAKE_WINDOW_BYTES);
    }

    static final int WAKE_WINDOW_BYTES = 64 * 1024;

    private ActiveMQConnectionFactory ownConnectionFactory(int consumerWindow) {
        ActiveMQConnectionFactory lanes = new ActiveMQConnectionFactory(url, user, password);
        ActiveMQConnectionFactory pooled = (ActiveMQConnectionFactory) pool.getConnectionFactory();
        lanes.setReconnectAttempts(pooled.getReconnectAttempts());
        lanes.setRetryInterval(pooled.getRetryInterval());
        lanes.setRetryIntervalMultiplier(pooled.getRetryIntervalMultiplier());
        lanes.setMaxRetryInterval(pooled.getMaxRetryInterval());
        lanes.setCacheDestinations(pooled.isCacheDestinations());
        lanes.setDeserializationDenyList("*");
        lanes.setConsumerWindowSize(consumerWindow);
        return lanes;
    }

    /** What keeps the bridge from its broker right now, or null when it can reach it. */
    public String problem() {
        if (brokerXml != null) {
            // asked by health before the broker started (the management server answers from the first moment)
            var server = embedded == null ? null : embedded.getActiveMQServer();
            return server != null && server.isActive() ? null : "embedded broker is not running";
        }
        // a connection of its own that tries once and soon gives up, unlike the bridge's, which retries for ever
        try (ActiveMQConnectionFactory probe = new ActiveMQConnectionFactory(url)) {
            probe.setReconnectAttempts(0);
            probe.setInitialConnectAttempts(1);
            probe.setCallTimeout(3000);
            probe.setClientFailureCheckPeriod(3000);
            probe.createConnection(user, password).close();
            return null;
        } catch (Exception e) {
            return "broker " + url + " unreachable: " + e.getMessage();
        }
    }

    @Override
    protected void doStart() throws Exception {
        if (brokerXml != null) {
            startEmbedded();
        }
    }

    @Override
    protected void doStop() throws Exception {
        pool.stop();
        if (embedded != null) {
            embedded.stop();
            embedded = null;
        }
    }

    private void startEmbedded() throws Exception {
        if (!Files.isReadable(brokerXml)) {
            throw new IllegalStateException(brokerXml.toAbsolutePath() + " not found: run the bridge from the directory that holds artemis/");
        }
        // Artemis fills ${...} in broker.xml from system properties; they are set only while it reads the file
        Map<String, String> previous = new HashMap<>();
        brokerSettings.forEach((key, value) -> previous.put(key, System.setProperty(key, value)));
        try {
            embedded = new EmbeddedActiveMQ();
            embedded.setConfigResourcePath(brokerXml.toAbsolutePath().toUri().toString());
            // security-enabled in broker.xml: this manager admits the one login and nobody else
            embedded.setSecurityManager(new EmbeddedBrokerLogin(embeddedLogin));
            embedded.createActiveMQServer();
        } finally {
            previous.forEach((key, value) -> {
                if (value == null) {
                    System.clearProperty(key);
                } else {
                    System.setProperty(key, value);
                }
            });
        }
        // Artemis admits its cluster user, with the cluster password, past every security check; the
        // embedded broker has no cluster, so that password is one nobody knows, new at each start,
        // rather than Artemis's public default
        byte[] clusterPassword = new byte[24];
        new SecureRandom().nextBytes(clusterPassword);
        embedded.getActiveMQServer().getConfiguration().setClusterPassword(Base64.getEncoder().encodeToString(clusterPassword));
        embedded.start();
        LOG.info("embedded broker: takes one login, {}", embeddedLogin);
        // Artemis logs a port it cannot bind and carries on; a bridge without its acceptors must not
        for (var acceptor : embedded.getActiveMQServer().getRemotingService().getAcceptors().entrySet()) {
            if (!acceptor.getValue().isStarted()) {
                embedded.stop();
                throw new IllegalStateException("embedded broker: acceptor " + acceptor.getKey()
                        + " did not start (is bridge.embedded-broker.port in use?)");
            }
        }
    }
}
