package io.threatbridge.broker;

import org.apache.activemq.artemis.api.core.Interceptor;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.protocol.core.impl.PacketImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.jms.support.destination.DestinationResolver;
import org.springframework.jms.support.destination.DynamicDestinationResolver;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The routes' sends ask the broker about a queue once, not once a send: Artemis answers an address
 * query (the core protocol's binding query, which its client sends for a destination object it has
 * not checked yet) by going over every queue it holds, so with thousands of integrations a query a
 * send made the broker's cost per event grow with their number. Counted by an interceptor of an
 * embedded broker, with camel-jms's default resolver alongside.
 */
class KnownQueuesTest {

    private static final int SENDS = 20;
    private EmbeddedActiveMQ broker;
    private final AtomicInteger addressQueries = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setName("known-queues")
                .setSecurityEnabled(false).setPersistenceEnabled(false).addAcceptorConfiguration("invm", "vm://7"));
        broker.start();
        Interceptor counting = (packet, connection) -> {
            if (packet.getType() == PacketImpl.SESS_BINDINGQUERY) {
                addressQueries.incrementAndGet();
            }
            return true;
        };
        broker.getActiveMQServer().getRemotingService().addIncomingInterceptor(counting);
    }

    @AfterEach
    void stop() throws Exception {
        broker.stop();
    }

    @Test
    void aQueueIsCheckedWithTheBrokerOnceWhateverTheSends() {
        assertEquals(1, queriesFor(new KnownQueues(), "defender.out.known"), "KnownQueues");
        assertEquals(SENDS, queriesFor(new DynamicDestinationResolver(), "defender.out.dynamic"), "a new queue object each send");
    }

    /** The address queries of SENDS sends to one queue, each on a session of its own, as a route's may be. */
    private int queriesFor(DestinationResolver resolver, String queue) {
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("vm://7")) {
            JmsTemplate template = new JmsTemplate(factory);
            template.setDestinationResolver(resolver);
            int before = addressQueries.get();
            for (int i = 0; i < SENDS; i++) {
                template.convertAndSend(queue, "event " + i);
            }
            return addressQueries.get() - before;
        }
    }
}
