package io.threatbridge.broker;

import jakarta.jms.Destination;
import jakarta.jms.JMSException;
import jakarta.jms.Session;
import org.springframework.jms.support.destination.DestinationResolver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes' queues by name, each queue object made once and kept (camel-jms's destination
 * resolver). The Artemis client checks a destination object's address with the broker the first
 * time it sends to it, and the broker answers that query by going over every queue it holds; with a
 * queue object made afresh for every send (camel-jms's default) each send would cost the broker in
 * proportion to the number of integrations. A queue object is only a name: any session may use it.
 */
public final class KnownQueues implements DestinationResolver {

    private final Map<String, Destination> queues = new ConcurrentHashMap<>();

    @Override
    public Destination resolveDestinationName(Session session, String name, boolean topic) throws JMSException {
        if (topic) {
            return session.createTopic(name);
        }
        Destination known = queues.get(name);
        if (known == null) {
            known = session.createQueue(name);
            Destination raced = queues.putIfAbsent(name, known);
            known = raced != null ? raced : known;
        }
        return known;
    }
}
