package io.threatbridge.routes;

import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JMS a Java bean of the bridge uses itself (Sentinel's batches take their events in a transacted
 * session of their own, not through a route endpoint, so AdviceWith cannot replace it): queues in
 * memory, and sessions whose commit publishes their sends and forgets their receives, whose rollback
 * puts the receives back. Only what the bridge calls; anything else fails. No broker semantics beyond
 * that (a scheduled delivery time is a property like any other).
 */
public final class InMemoryQueues {

    private final Map<String, Deque<Message>> queues = new HashMap<>();

    /** A persistent text message as a vendor or ingest puts it on a queue. */
    public static Message text(String body, Map<String, Object> properties) {
        FakeMessage message = new FakeMessage();
        message.body = body;
        message.properties.putAll(properties);
        return message.proxy(TextMessage.class);
    }

    public synchronized void put(String queue, Message message) {
        queues.computeIfAbsent(queue, q -> new ArrayDeque<>()).add(message);
        notifyAll();
    }

    /** The messages on a queue now, first first. */
    public synchronized List<Message> messages(String queue) {
        return List.copyOf(queues.getOrDefault(queue, new ArrayDeque<>()));
    }

    /** The message's text (a text or bytes message of this fake). */
    public static String body(Message message) {
        Object body = handler(message).body;
        return body instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8) : (String) body;
    }

    public ConnectionFactory connectionFactory() {
        return proxy(ConnectionFactory.class, (p, method, args) -> switch (method.getName()) {
            case "createConnection" -> connection();
            default -> objectMethod(p, method.getName(), args);
        });
    }

    private Connection connection() {
        return proxy(Connection.class, (p, method, args) -> switch (method.getName()) {
            case "start", "close", "stop" -> null;
            case "createSession" -> new FakeSession().proxy();
            default -> objectMethod(p, method.getName(), args);
        });
    }

    private synchronized Message take(String queue, long timeoutMs) throws InterruptedException {
        long until = System.currentTimeMillis() + timeoutMs;
        Deque<Message> messages = queues.computeIfAbsent(queue, q -> new ArrayDeque<>());
        while (messages.isEmpty() && timeoutMs > 0) {
            long left = until - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return messages.poll();
    }

    private synchronized void commit(List<Map.Entry<String, Message>> sends) {
        for (Map.Entry<String, Message> send : sends) {
            queues.computeIfAbsent(send.getKey(), q -> new ArrayDeque<>()).add(send.getValue());
        }
        notifyAll();
    }

    private synchronized void giveBack(List<Map.Entry<String, Message>> received) {
        List<Map.Entry<String, Message>> reversed = new ArrayList<>(received);
        Collections.reverse(reversed);
        for (Map.Entry<String, Message> back : reversed) {
            queues.computeIfAbsent(back.getKey(), q -> new ArrayDeque<>()).addFirst(back.getValue());
        }
        notifyAll();
    }

    private final class FakeSession {
        final List<Map.Entry<String, Message>> received = new ArrayList<>();
        final List<Map.Entry<String, Message>> sends = new ArrayList<>();

        Session proxy() {
            return InMemoryQueues.proxy(Session.class, (p, method, args) -> switch (method.getName()) {
                case "createQueue" -> queue((String) args[0]);
                case "createConsumer" -> consumer(((Queue) args[0]).getQueueName());
                case "createProducer" -> producer(((Queue) args[0]).getQueueName());
                case "createTextMessage" -> {
                    FakeMessage message = new FakeMessage();
                    message.body = args == null ? null : args[0];
                    yield message.proxy(TextMessage.class);
                }
                case "createBytesMessage" -> new FakeMessage().proxy(BytesMessage.class);
                case "commit" -> {
                    commit(sends);
                    sends.clear();
                    received.clear();
                    yield null;
                }
                case "rollback" -> {
                    giveBack(received);
                    sends.clear();
                    received.clear();
                    yield null;
                }
                case "close" -> {
                    giveBack(received);
                    received.clear();
                    sends.clear();
                    yield null;
                }
                default -> objectMethod(p, method.getName(), args);
            });
        }

        MessageConsumer consumer(String queue) {
            return InMemoryQueues.proxy(MessageConsumer.class, (p, method, args) -> switch (method.getName()) {
                case "receive" -> received(queue, take(queue, args == null ? Long.MAX_VALUE : (Long) args[0]));
                case "receiveNoWait" -> received(queue, take(queue, 0));
                case "close" -> null;
                default -> objectMethod(p, method.getName(), args);
            });
        }

        Message received(String queue, Message message) {
            if (message != null) {
                received.add(Map.entry(queue, message));
            }
            return message;
        }

        MessageProducer producer(String queue) {
            return InMemoryQueues.proxy(MessageProducer.class, (p, method, args) -> switch (method.getName()) {
                case "send" -> {
                    Message message = (Message) args[0];
                    if (args.length == 4) {
                        message.setJMSPriority((Integer) args[2]);
                    }
                    sends.add(Map.entry(queue, message));
                    yield null;
                }
                case "close" -> null;
                default -> objectMethod(p, method.getName(), args);
            });
        }
    }

    private static Queue queue(String name) {
        return proxy(Queue.class, (p, method, args) -> switch (method.getName()) {
            case "getQueueName", "toString" -> name;
            default -> objectMethod(p, method.getName(), args);
        });
    }

    /** A text or bytes message: body, properties, priority. */
    private static final class FakeMessage implements InvocationHandler {
        Object body;
        final Map<String, Object> properties = new HashMap<>();
        int priority = Message.DEFAULT_PRIORITY;

        <T extends Message> T proxy(Class<T> type) {
            return InMemoryQueues.proxy(type, this);
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) {
            String name = method.getName();
            return switch (name) {
                case "getText" -> body;
                case "setText" -> {
                    body = args[0];
                    yield null;
                }
                case "writeBytes" -> {
                    body = ((byte[]) args[0]).clone();
                    yield null;
                }
                case "getBody" -> body instanceof String text && args[0] == byte[].class
                        ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8) : body;
                case "getBodyLength" -> (long) ((byte[]) body).length;
                case "getJMSPriority" -> priority;
                case "setJMSPriority" -> {
                    priority = (Integer) args[0];
                    yield null;
                }
                case "getObjectProperty" -> properties.get((String) args[0]);
                case "getStringProperty" -> properties.get((String) args[0]) == null ? null : String.valueOf(properties.get((String) args[0]));
                case "getIntProperty" -> Integer.parseInt(String.valueOf(properties.get((String) args[0])));
                case "getLongProperty" -> Long.parseLong(String.valueOf(properties.get((String) args[0])));
                case "propertyExists" -> properties.containsKey((String) args[0]);
                case "setStringProperty", "setIntProperty", "setLongProperty", "setObjectProperty" -> {
                    properties.put((String) args[0], args[1]);
                    yield null;
                }
                case "getPropertyNames" -> Collections.enumeration(List.copyOf(properties.keySet()));
                default -> objectMethod(proxy, name, args);
            };
        }
    }

    private static FakeMessage handler(Message message) {
        return (FakeMessage) Proxy.getInvocationHandler(message);
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(InMemoryQueues.class.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object objectMethod(Object proxy, String name, Object[] args) {
        return switch (name) {
            case "toString" -> "in-memory JMS " + System.identityHashCode(proxy);
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> throw new UnsupportedOperationException("the in-memory JMS of the route tests has no " + name);
        };
    }
}
