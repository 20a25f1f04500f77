package io.threatbridge.ops;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.jms.client.ActiveMQSession;
import org.messaginghub.pooled.jms.JmsPoolSession;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The dead-letter queue for operators. A replay sends the original body to the inbound queue as a
 * new event, in one transaction with taking it off the dead-letter queue: the integrations that
 * delivered it already skip it (the store), the one that failed tries again.
 */
public class DeadLetters implements DeadLettersMBean {

    private final ConnectionFactory connections;
    private final String deadLetterQueue;
    private final String inboundQueue;

    public DeadLetters(ConnectionFactory connections, String deadLetterQueue, String inboundQueue) {
        this.connections = connections;
        this.deadLetterQueue = deadLetterQueue;
        this.inboundQueue = inboundQueue;
    }

    /**
     * The broker's count of the queue, asked with one query (Artemis's queue query, which needs no
     * manage permission), not by browsing every message: a dead-letter queue of a million events is
     * counted as fast as an empty one. A client that is not Artemis's is counted by browsing.
     */
    @Override
    public long getCount() throws JMSException {
        try (Connection connection = connections.createConnection();
             Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            Session internal = session instanceof JmsPoolSession pooled ? pooled.getInternalSession() : session;
            if (internal instanceof ActiveMQSession artemis) {
                try {
                    return artemis.getCoreSession().queueQuery(SimpleString.of(deadLetterQueue)).getMessageCount();
                } catch (ActiveMQException e) {
                    throw new JMSException("dead-letter queue " + deadLetterQueue + ": " + e.getMessage());
                }
            }
        }
        return browse(Integer.MAX_VALUE).size();
    }

    @Override
    public String[] list(int max) throws JMSException {
        List<String> lines = new ArrayList<>();
        for (Message message : browse(max)) {
            lines.add(orUnknown(message.getStringProperty("bridgeEventId")) + " " + orUnknown(message.getStringProperty("bridgeIntegration"))
                    + ": " + orUnknown(message.getStringProperty("bridgeError")));
        }
        return lines.toArray(String[]::new);
    }

    @Override
    public int replay(String eventId) throws JMSException {
        return move(selector(eventId), true);
    }

    @Override
    public int replayAll() throws JMSException {
        return move(null, true);
    }

    @Override
    public int purge(String eventId) throws JMSException {
        return move(selector(eventId), false);
    }

    private List<Message> browse(int max) throws JMSException {
        List<Message> messages = new ArrayList<>();
        try (Connection connection = connections.createConnection()) {
            connection.start();
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                 QueueBrowser browser = session.createBrowser(session.createQueue(deadLetterQueue))) {
                Enumeration<?> all = browser.getEnumeration();
                while (all.hasMoreElements() && messages.size() < max) {
                    messages.add((Message) all.nextElement());
                }
            }
        }
        return messages;
    }

    /** Takes the matching dead letters off the queue, sending each to the inbound queue first if asked. */
    private int move(String selector, boolean toInbound) throws JMSException {
        int moved = 0;
        try (Connection connection = connections.createConnection()) {
            connection.start();
            try (Session session = connection.createSession(true, Session.SESSION_TRANSACTED)) {
                Queue dlq = session.createQueue(deadLetterQueue);
                try (MessageConsumer consumer = session.createConsumer(dlq, selector);
                     MessageProducer inbound = session.createProducer(session.createQueue(inboundQueue))) {
                    Message message;
                    while ((message = consumer.receive(500)) != null) {
                        if (toInbound) {
                            inbound.send(copyBody(session, message));
                        }
                        moved++;
                    }
                }
                session.commit();
            }
        }
        return moved;
    }

    private static Message copyBody(Session session, Message message) throws JMSException {
        if (message instanceof TextMessage text) {
            return session.createTextMessage(text.getText());
        }
        BytesMessage copy = session.createBytesMessage();
        copy.writeBytes(message.getBody(byte[].class));
        return copy;
    }

    private static String selector(String eventId) {
        return "bridgeEventId = '" + eventId.replace("'", "''") + "'";
    }

    private static String orUnknown(String value) {
        return value == null ? "?" : value;
    }
}
