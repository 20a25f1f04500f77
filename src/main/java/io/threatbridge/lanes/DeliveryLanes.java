package io.threatbridge.lanes;

import io.threatbridge.delivery.TenantGate;
import io.threatbridge.integration.DeliveryControl;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.route.IntegrationRoutes;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.Session;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.ActiveMQNonExistentQueueException;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ClientConsumer;
import org.apache.activemq.artemis.api.core.client.ClientMessage;
import org.apache.activemq.artemis.api.jms.ActiveMQJMSConstants;
import org.apache.activemq.artemis.jms.client.ActiveMQConnection;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.activemq.artemis.jms.client.ActiveMQMessage;
import org.apache.activemq.artemis.jms.client.ActiveMQSession;
import org.apache.activemq.artemis.jms.client.JMSExceptionHelper;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.jms.JmsEndpoint;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jms.connection.JmsResourceHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The delivery lanes: a fixed number of threads that deliver the events of every Defender and Graph
 * integration, however many there are (docs/architecture.md, "Delivery lanes").
 * <p>
 * Each integration keeps its own queue, {@code defender.out.<name>}, so the broker holds each
 * tenant's backlog apart. Ingest sends, with each event, a small non-persistent wake to
 * {@code defender.wake}, grouped by integration (JMSXGroupID): the broker gives every wake of one
 * integration to one consumer, and each bridge instance has one, with a consumer window of its own
 * so that the broker deals new integrations to the instances in turn: the instances share the
 * integrations between them, about evenly, with no lock of their own; when one dies, the broker
 * gives its integrations to the others. A lane takes a woken integration, receives up to
 * {@code eventsPerTurn} of its events one transaction each (the route's sends, to the retry or the
 * dead-letter queue, join that transaction) and hands each to the {@code direct:defender-delivery}
 * route, then goes on with the next integration in line. An integration whose tenant may not be
 * called now (a spent quota, a Retry-After, an open circuit) is parked until then: no thread waits
 * for it. A wake is acknowledged only once a lane found its integration's queue empty, so a dead
 * instance's unfinished integrations are taken over, and the queues are looked at once at start,
 * after a failover and every {@code rescanMillis}, for events whose wake was lost (non-persistent).
 */
public class DeliveryLanes extends ServiceSupport implements DeliveryControl {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLanes.class);

    /** The route a lane hands each event to, in the lane's JMS transaction. */
    public static final String DELIVERY_ROUTE = "direct:defender-delivery";
    /** The property naming the integration whose queue the event came from. */
    static final String INTEGRATION_PROPERTY = "integrationName";
    /** The wake's property naming its integration (also its JMSXGroupID). */
    public static final String WAKE_PROPERTY = "bridgeIntegration";
    /** A parked integration is looked at again a little after its tenant's gate opens. */
    private static final long PARK_MARGIN_MS = 20;
    /** Events the broker holds back (a scheduled retry, a redelivery delay): looked for again after this, doubling. */
    private static final long FIRST_RECHECK_MS = 500;
    private static final long LONGEST_RECHECK_MS = 5000;

    private final CamelContext camel;
    /** Artemis's: the lanes read through its core API, with its settings for messages (deserialization allow and deny lists). */
    private final ActiveMQConnectionFactory laneFactory;
    private final ConnectionFactory wakeFactory;
    private final ConnectionFactory routeFactory;
    private final IntegrationRegistry integrations;
    private final TenantGate gate;
    private final String wakeQueue;
    private final String queuePrefix;
    private final int laneCount;
    private final int eventsPerTurn;
    /** How long a stop waits for the lanes' events in flight before it interrupts them (camel.main.shutdownTimeout is 20 s). */
    static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private final long rescanMillis;
    private final LaneScheduler<Message> scheduler = new LaneScheduler<>(this::acknowledgeLater, System::currentTimeMillis);
    private final ConcurrentLinkedQueue<Message> toAcknowledge = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Collection<String>> toRescan = new ConcurrentLinkedQueue<>();
    private final java.util.Map<String, Long> recheckMillis = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger busy = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private volatile Connection connection;
    private volatile Connection wakeConnection;
    private volatile boolean failedOver;
    private ProducerTemplate producer;
    private Endpoint deliveryRoute;
    private JmsEndpoint messages;

    /**
     * @param laneFactory     the broker, for the lanes' own connection (no prefetch: a lane takes one event at a time)
     * @param wakeFactory     the broker, for the wake consumer's connection (a consumer window: the broker then deals
     *                        new integrations out to the instances in turn)
     * @param routeFactory    the factory the routes' JMS endpoints use: their sends join a lane's transaction under it
     */
    public DeliveryLanes(CamelContext camel, ActiveMQConnectionFactory laneFactory, ConnectionFactory wakeFactory, ConnectionFactory routeFactory,
                         IntegrationRegistry integrations, TenantGate gate,
                         String wakeQueue, String queuePrefix, int laneCount, int eventsPerTurn, long rescanMillis) {
        if (laneCount < 1 || eventsPerTurn < 1) {
            throw new IllegalArgumentException("bridge.delivery.lanes and bridge.delivery.events-per-turn must be at least 1");
        }
        this.camel = camel;
        this.laneFactory = laneFactory;
        this.wakeFactory = wakeFactory;
        this.routeFactory = routeFactory;
        this.integrations = integrations;
        this.gate = gate;
        this.wakeQueue = wakeQueue;
        this.queuePrefix = queuePrefix;
        this.laneCount = laneCount;
        this.eventsPerTurn = eventsPerTurn;
        this.rescanMillis = rescanMillis;
    }

    /** Lanes delivering right now. */
    public int busyLanes() {
        return busy.get();
    }

    /** Integrations with events waiting for a free lane. */
    public int waitingIntegrations() {
        return scheduler.readyCount();
    }

    /** Integrations left alone until their tenant may be called, or their events are due. */
    public int parkedIntegrations() {
        return scheduler.parkedCount();
    }

    /** Looks at these integrations' queues (added or enabled by a reload, resumed) and wakes those with events. */
    @Override
    public void lookForEvents(Collection<String> names) {
        toRescan.add(List.copyOf(names));
    }

    @Override
    protected void doStart() throws Exception {
        producer = camel.createProducerTemplate();
        deliveryRoute = camel.getEndpoint(DELIVERY_ROUTE);
        messages = camel.getEndpoint("jms:queue:" + queuePrefix, JmsEndpoint.class);
        connection = laneFactory.createConnection();
        wakeConnection = wakeFactory.createConnection();
        for (Connection each : List.of(connection, wakeConnection)) {
            if (each instanceof ActiveMQConnection artemis) {
                // non-persistent wakes do not survive a failover to the backup: look at every queue again after one
                artemis.setFailoverListener(event -> {
                    if (event == org.apache.activemq.artemis.api.core.client.FailoverEventType.FAILOVER_COMPLETED) {
                        failedOver = true;
                    }
                });
            }
        }
        running = true;
        Thread waker = new Thread(this::takeWakes, "delivery-wakes");
        threads.add(waker);
        for (int lane = 1; lane <= laneCount; lane++) {
            threads.add(new Thread(this::deliver, "delivery-lane-" + lane));
        }
        toRescan.add(List.of());
        threads.forEach(Thread::start);
        connection.start();
        wakeConnection.start();
        LOG.info("{} delivery lane(s) for {} integration(s)", laneCount, integrations.all().size());
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        scheduler.close();
        // each lane finishes its event; one that cannot within the grace (a retry that waits in memory for a store that
        // went away, for instance) is interrupted: its transaction rolls back and the event stays on its queue
        long graceEnd = System.nanoTime() + STOP_GRACE.toNanos();
        for (Thread thread : threads) {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(graceEnd - System.nanoTime())));
        }
        for (Thread thread : threads) {
            if (thread.isAlive()) {
                LOG.warn("{} did not finish its event within {} s of the stop: interrupted, its event stays on its queue",
                        thread.getName(), STOP_GRACE.toSeconds());
                thread.interrupt();
                thread.join(5_000);
            }
        }
        threads.clear();
        if (wakeConnection != null) {
            wakeConnection.close();
            wakeConnection = null;
        }
        if (connection != null) {
            connection.close();
            connection = null;
        }
        if (producer != null) {
            producer.stop();
        }
    }

    // --- wakes: one thread takes them, acknowledges released ones and looks at the queues when asked

    private void takeWakes() {
        try (Session session = wakeConnection.createSession(false, ActiveMQJMSConstants.INDIVIDUAL_ACKNOWLEDGE);
             Session control = wakeConnection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
            MessageConsumer wakes = session.createConsumer(session.createQueue(wakeQueue));
            MessageProducer producer = control.createProducer(control.createQueue(wakeQueue));
            producer.setDeliveryMode(DeliveryMode.NON_PERSISTENT);
            long nextRescan = System.currentTimeMillis() + rescanMillis;
            while (running) {
                Message wake = wakes.receive(200);
                if (wake != null) {
                    String integration = wake.getStringProperty(WAKE_PROPERTY);
                    if (integration == null) {
                        wake.acknowledge();
                    } else {
                        scheduler.wake(integration, wake);
                    }
                }
                for (Message done; (done = toAcknowledge.poll()) != null; ) {
                    acknowledge(done);
                }
                if (failedOver) {
                    failedOver = false;
                    scheduler.forgetAll();
                    toRescan.add(List.of());
                }
                if (System.currentTimeMillis() >= nextRescan) {
                    nextRescan = System.currentTimeMillis() + rescanMillis;
                    toRescan.add(List.of());
                }
                for (Collection<String> names; (names = toRescan.poll()) != null; ) {
                    wakeThoseWithEvents(control, producer, names.isEmpty() ? enabledLaneIntegrations() : names);
                }
            }
        } catch (JMSException e) {
            if (running) {
                LOG.error("delivery lanes: the wake consumer failed, no integration is woken until a restart: {}", e.toString());
            }
        }
    }

    /** Sends a wake for each of these integrations whose queue holds events: its owner, whichever instance, drains it. */
    private void wakeThoseWithEvents(Session control, MessageProducer producer, Collection<String> names) throws JMSException {
        int woken = 0;
        for (String name : names) {
            if (!running) {
                return;
            }
            try {
                if (messageCount(control, name) > 0) {
                    producer.send(wake(control, name));
                    woken++;
                }
            } catch (JMSException e) {
                LOG.warn("delivery lanes: could not look at the queue of {}: {}", name, e.getMessage());
            }
        }
        if (woken > 0) {
            LOG.info("delivery lanes: {} of {} integration queue(s) held events", woken, names.size());
        }
    }

    /** The wake ingest sends with each event (routes/ingest.camel.yaml does the same with Camel's headers). */
    public static Message wake(Session session, String integration) throws JMSException {
        Message wake = session.createTextMessage(integration);
        wake.setStringProperty(WAKE_PROPERTY, integration);
        wake.setStringProperty("JMSXGroupID", integration);
        return wake;
    }

    private List<String> enabledLaneIntegrations() {
        return integrations.all().stream().filter(Integration::enabled).map(Integration::name)
                .filter(name -> !consumedByRoute(name)).toList();
    }

    private void acknowledgeLater(Message wake) {
        toAcknowledge.add(wake);
    }

    private static void acknowledge(Message wake) {
        try {
            wake.acknowledge();
        } catch (JMSException | RuntimeException e) {
            // its session is gone (a failover, a reconnect): the broker gives the wake back, and the
            // lane that takes it finds the queue as it is
            LOG.debug("a wake could not be acknowledged: {}", e.toString());
        }
    }

    // --- lanes

    private void deliver() {
        Session session = null;
        while (running) {
            String name = null;
            try {
                name = scheduler.take(1000);
                if (name == null) {
                    continue;
                }
                if (session == null) {
                    session = connection.createSession(true, Session.SESSION_TRANSACTED);
                }
                turn(session, name);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (JMSException | RuntimeException e) {
                LOG.warn("delivery lane: {} failed, its events stay on its queue: {}", name, e.toString());
                closeQuietly(session);
                session = null;
                if (name != null) {
                    scheduler.park(name, System.currentTimeMillis() + LONGEST_RECHECK_MS);
                }
            }
        }
        closeQuietly(session);
    }

    /** One lane's turn on one integration. */
    private void turn(Session session, String name) throws JMSException {
        Integration integration = integrations.find(name);
        if (integration == null || !integration.enabled() || consumedByRoute(name)) {
            // its events stay on its queue: a reload that adds or enables it looks at that queue again
            scheduler.finished(name, LaneScheduler.Outcome.EMPTY);
            return;
        }
        if (parkedForTenant(name, integration)) {
            return;
        }
        ClientConsumer consumer = openConsumer(session, name);
        if (consumer == null) {
            scheduler.finished(name, LaneScheduler.Outcome.EMPTY);
            return;
        }
        busy.incrementAndGet();
        try {
            for (int taken = 0; taken < eventsPerTurn; taken++) {
                Message message = receiveNoWait(consumer);
                if (message == null) {
                    heldBackOrEmpty(session, name);
                    return;
                }
                recheckMillis.remove(name);
                if (!deliverOne(session, name, message)) {
                    // rolled back: the broker gives the event again after its redelivery delay
                    parkForRecheck(name);
                    return;
                }
                if (parkedForTenant(name, integration)) {
                    return;
                }
            }
            scheduler.finished(name, LaneScheduler.Outcome.MORE);
        } finally {
            busy.decrementAndGet();
            closeQuietly(consumer);
        }
    }

    /**
     * A consumer on the integration's queue, through the session's core API; null when no event was
     * ever sent to it (no queue). The JMS client would first check the queue with an address query,
     * on every turn, and the broker answers that by going over all its queues: at thousands of
     * integrations the largest part of its CPU (docs/architecture.md, "Delivery lanes").
     */
    private ClientConsumer openConsumer(Session session, String name) throws JMSException {
        try {
            return ((ActiveMQSession) session).getCoreSession().createConsumer(SimpleString.of(queuePrefix + "." + name));
        } catch (ActiveMQNonExistentQueueException none) {
            return null;
        } catch (ActiveMQException e) {
            throw JMSExceptionHelper.convertFromActiveMQException(e);
        }
    }

    /**
     * The next event, as the JMS consumer of a transacted session gives it: a JMS message (the lane
     * factory's deserialization rules), its acknowledgement part of the session's transaction.
     */
    private Message receiveNoWait(ClientConsumer consumer) throws JMSException {
        try {
            ClientMessage received = consumer.receiveImmediate();
            if (received == null) {
                return null;
            }
            ActiveMQMessage message = ActiveMQMessage.createMessage(received, null, laneFactory);
            message.doBeforeReceive();
            received.acknowledge();
            return message;
        } catch (ActiveMQException e) {
            throw JMSExceptionHelper.convertFromActiveMQException(e);
        }
    }

    private static void closeQuietly(ClientConsumer consumer) {
        try {
            consumer.close();
        } catch (ActiveMQException ignored) {
            // gone with its session; a rollback or a new session follows
        }
    }

    /** Delivers one event in one transaction: true when committed. */
    private boolean deliverOne(Session session, String name, Message message) throws JMSException {
        TransactionSynchronizationManager.bindResource(routeFactory, new JmsResourceHolder(routeFactory, connection, session));
        try {
            Exchange exchange = messages.createExchange(message, session);
            exchange.setProperty(INTEGRATION_PROPERTY, name);
            // as a transacted JMS consumer's exchange: the error handling redelivers in this thread
            exchange.getExchangeExtension().setTransacted(true);
            producer.send(deliveryRoute, exchange);
            if (exchange.getException() != null || exchange.isRollbackOnly()) {
                session.rollback();
                LOG.warn("{}: an event was rolled back onto its queue: {}", name,
                        exchange.getException() == null ? "rollback" : exchange.getException().toString());
                return false;
            }
            session.commit();
            return true;
        } catch (jakarta.jms.TransactionRolledBackException failedOver) {
            LOG.warn("{}: the commit was rolled back (broker failover), the event comes again", name);
            return false;
        } finally {
            TransactionSynchronizationManager.unbindResource(routeFactory);
        }
    }

    /** True, and the integration parked, when its tenant may not be called yet. */
    private boolean parkedForTenant(String name, Integration integration) {
        Instant until = gate.closedUntil(integration);
        if (until != null && until.isAfter(Instant.now())) {
            scheduler.park(name, until.toEpochMilli() + PARK_MARGIN_MS);
            return true;
        }
        return false;
    }

    /**
     * The queue gave no event: it is empty, and the wake is released, unless the broker holds events
     * back (a retry due later, a redelivery delay) or another consumer has them; then it is looked at
     * again soon, the wake held.
     */
    private void heldBackOrEmpty(Session session, String name) throws JMSException {
        if (messageCount(session, name) > 0) {
            parkForRecheck(name);
        } else {
            recheckMillis.remove(name);
            scheduler.finished(name, LaneScheduler.Outcome.EMPTY);
        }
    }

    /** The events on the integration's queue, those the broker holds back (scheduled, in delivery) included. */
    private long messageCount(Session session, String name) throws JMSException {
        try {
            var query = ((ActiveMQSession) session).getCoreSession().queueQuery(SimpleString.of(queuePrefix + "." + name));
            return query.isExists() ? query.getMessageCount() : 0;
        } catch (org.apache.activemq.artemis.api.core.ActiveMQException e) {
            throw new JMSException("the query of queue " + queuePrefix + "." + name + " failed: " + e.getMessage());
        }
    }

    private void parkForRecheck(String name) {
        long wait = recheckMillis.merge(name, FIRST_RECHECK_MS, (last, first) -> Math.min(last * 2, LONGEST_RECHECK_MS));
        scheduler.park(name, System.currentTimeMillis() + wait);
    }

    private static void closeQuietly(Session session) {
        if (session != null) {
            try {
                session.close();
            } catch (JMSException ignored) {
                // already gone with its connection
            }
        }
    }

    /** A Sentinel integration takes its events in batches, on a route of its own (routes/sentinel.camel.yaml). */
    private boolean consumedByRoute(String name) {
        Integration integration = integrations.find(name);
        return integration != null && integration.api() == Integration.Api.sentinel;
    }

    // --- DeliveryControl

    @Override
    public void pause(String integration) throws Exception {
        if (consumedByRoute(integration)) {
            camel.getRouteController().suspendRoute(IntegrationRoutes.routeId(integration));
        } else {
            scheduler.pause(integration);
        }
    }

    @Override
    public void resume(String integration) throws Exception {
        if (consumedByRoute(integration)) {
            camel.getRouteController().resumeRoute(IntegrationRoutes.routeId(integration));
        } else {
            scheduler.resume(integration);
            lookForEvents(List.of(integration));
        }
    }

    @Override
    public boolean isPaused(String integration) {
        if (consumedByRoute(integration)) {
            var route = camel.getRouteController().getRouteStatus(IntegrationRoutes.routeId(integration));
            return route != null && route.isSuspended();
        }
        return scheduler.isPaused(integration);
    }

    @Override
    public boolean isConsuming(String integration) {
        Integration known = integrations.find(integration);
        if (known == null || !known.enabled()) {
            return false;
        }
        if (consumedByRoute(integration)) {
            return camel.getRoute(IntegrationRoutes.routeId(integration)) != null;
        }
        return running && !scheduler.isPaused(integration);
    }
}
