package io.threatbridge.sentinel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.threatbridge.microsoft.DefenderReply;
import io.threatbridge.microsoft.DefenderRequest;
import io.threatbridge.microsoft.DeliveryException;
import io.threatbridge.microsoft.PermanentDeliveryException;
import io.threatbridge.delivery.RetrySchedule;
import io.threatbridge.delivery.TenantFailures;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.microsoft.TenantTokens;
import io.threatbridge.microsoft.ThrottledException;
import io.threatbridge.microsoft.TokenRejectedException;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.ThreatEvent;
import io.threatbridge.integration.Integration;
import io.threatbridge.integration.IntegrationRegistry;
import io.threatbridge.logging.EmailMask;
import io.threatbridge.ops.Operations;
import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.EventKey;
import io.threatbridge.store.StoreUnavailableException;
import jakarta.jms.BytesMessage;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The steps of routes/sentinel.camel.yaml (interface.md section 5d). A batch is the events taken from an
 * integration's queue in one transacted JMS session: up to {@link Limits#maxRows} events, or about
 * {@link Limits#maxCallBytes} of them, or whatever came within {@link Limits#batchWaitMs} of the
 * first. Their rows go out in as few calls as the 1 MB limit allows, and the session is committed
 * only after every call answered: an event's message is acknowledged in the same commit that
 * records the outcome of its row (delivered, back on the queue for a retry, or on the dead-letter
 * queue). Camel's JMS consumer commits per message, so it cannot hold several messages for one
 * call; this bean holds the session itself (docs/reliability.md, "Sentinel batches").
 */
public class SentinelBatches {

    /**
     * A call of the Logs Ingestion API as the shared steps see it: its service picks the token's
     * scope, the Retry-After gate and the circuit (the rows themselves are the batch's).
     */
    static final DefenderRequest CALL = new DefenderRequest(DefenderRequest.Service.sentinel, DefenderRequest.Operation.create,
            "POST", "", null);

    private static final Logger LOG = LoggerFactory.getLogger(SentinelBatches.class);
    private static final Logger DELIVERED = LoggerFactory.getLogger("io.threatbridge.delivered");
    private static final Logger RETRY = LoggerFactory.getLogger("io.threatbridge.retry");
    private static final Logger THROTTLED = LoggerFactory.getLogger("io.threatbridge.throttled");
    private static final Logger DEAD_LETTER = LoggerFactory.getLogger("io.threatbridge.deadletter");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long one receive waits for a first event before the route polls again (and may stop). */
    static final long IDLE_POLL_MS = 1000;
    /** The Logs Ingestion API takes at most 1 MB per call (Azure Monitor service limits). */
    public static final int SERVICE_MAX_CALL_BYTES = 1_000_000;
    static final String OUTCOME = "ingested";
    /** When events whose batch met a store outage are due again. */
    static final long STORE_RETRY_MS = 5000;

    /** bridge.sentinel.max-rows, max-call-bytes and batch-wait-ms. */
    public record Limits(int maxRows, int maxCallBytes, long batchWaitMs) {
        public Limits {
            if (maxRows < 1 || maxCallBytes < 3 || maxCallBytes > SERVICE_MAX_CALL_BYTES || batchWaitMs < 0) {
                throw new IllegalArgumentException("bridge.sentinel.*: need max-rows >= 1, 3 <= max-call-bytes <= "
                        + SERVICE_MAX_CALL_BYTES + " (the Logs Ingestion API's limit) and batch-wait-ms >= 0");
            }
        }
    }

    private final ConnectionFactory connectionFactory;
    private final IntegrationRegistry integrations;
    private final EventValidator validator;
    private final DeliveryStore store;
    private final Operations operations;
    private final DefenderReply reply;
    private final TenantGate gate;
    private final RetrySchedule retries;
    private final Limits limits;
    private final String deadLetterQueue;
    private final Path dryRunFile;

    public SentinelBatches(ConnectionFactory connectionFactory, IntegrationRegistry integrations, EventValidator validator,
                           DeliveryStore store, Operations operations, TenantTokens tokens, TenantGate gate, RetrySchedule retries,
                           Limits limits, String deadLetterQueue, Path dryRunFile) {
        this.connectionFactory = connectionFactory;
        this.integrations = integrations;
        this.validator = validator;
        this.store = store;
        this.operations = operations;
        this.reply = new DefenderReply(tokens);
        this.gate = gate;
        this.retries = retries;
        this.limits = limits;
        this.deadLetterQueue = deadLetterQueue;
        this.dryRunFile = dryRunFile;
    }

    static String queue(String integration) {
        return "defender.out." + integration;
    }

    /**
     * Takes the next batch from the integration's queue in a new transacted session: waits up to
     * a second for a first event, then up to batch-wait-ms more for others. Sets the properties
     * sentinelBatch, integration (for the gate and the token), batchSize and url.
     */
    public void receive(@ExchangeProperty("integrationName") String name, Exchange exchange) throws JMSException {
        Integration integration = integrations.byName(name);
        Connection connection = connectionFactory.createConnection();
        SentinelBatch batch = null;
        try {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(queue(name)));
            batch = new SentinelBatch(integration, connection, session, consumer);
            Message message = consumer.receive(IDLE_POLL_MS);
            long closesAt = System.currentTimeMillis() + limits.batchWaitMs();
            long bytes = 0;
            while (message != null) {
                SentinelBatch.Item item = item(message);
                batch.items.add(item);
                // an event larger than a call goes in a call of its own (SentinelBatch.nextCall): it
                // does not fill the call the others share, which may still take the rows behind it
                if (SentinelBatch.fitsInACall(item.bodySize, limits.maxCallBytes())) {
                    bytes += item.bodySize;
                }
                if (batch.items.size() >= limits.maxRows() || bytes >= limits.maxCallBytes()) {
                    break;
                }
                long left = closesAt - System.currentTimeMillis();
                message = left > 0 ? consumer.receive(left) : consumer.receiveNoWait();
            }
        } catch (JMSException | RuntimeException e) {
            if (batch != null) {
                close(batch, false);
            } else {
                connection.close();
            }
            throw e;
        }
        exchange.setProperty("sentinelBatch", batch);
        exchange.setProperty("integration", integration);
        // what the shared steps (tokens, tenantGate) read to know the service they act for
        exchange.setProperty("request", CALL);
        exchange.setProperty("batchSize", batch.size());
        exchange.setProperty("url", integration.sentinel().uploadUrl());
        if (batch.size() == 0) {
            close(batch, false);
        }
    }

    private static SentinelBatch.Item item(Message message) throws JMSException {
        Object body;
        int size;
        if (message instanceof TextMessage text) {
            String value = text.getText();
            body = value;
            size = value == null ? 0 : value.length();
        } else if (message instanceof BytesMessage) {
            byte[] value = message.getBody(byte[].class);
            body = value;
            size = value == null ? 0 : value.length;
        } else {
            body = null;
            size = 0;
        }
        Object attempt = message.getObjectProperty("bridgeAttempt");
        Object receivedAt = message.getObjectProperty("bridgeReceivedAt");
        return new SentinelBatch.Item(message, body, size, attempt == null ? 1 : Integer.parseInt(attempt.toString()),
                receivedAt == null ? 0 : Long.parseLong(receivedAt.toString()));
    }

    /**
     * Reads each event and makes its row; an event that cannot be read goes to the dead-letter
     * queue, one the integration finished with before (one store look-up for the batch) and a
     * second copy within the batch are not sent again. Sets callsLeft.
     */
    public void prepare(@ExchangeProperty("sentinelBatch") SentinelBatch batch, Exchange exchange) {
        String integration = batch.integration.name();
        Set<EventKey> seen = new HashSet<>();
        List<EventKey> ids = new ArrayList<>();
        for (SentinelBatch.Item item : batch.items) {
            try {
                String text = item.body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) item.body;
                if (text == null) {
                    throw new InvalidEventException("message: not a text or bytes message");
                }
                ThreatEvent event = validator.read(text);
                item.eventId = event.eventId();
                item.account = event.accountId();
                if (!seen.add(new EventKey(item.account, item.eventId))) {
                    item.state = SentinelBatch.State.ALREADY_DONE;
                    continue;
                }
                item.row = SentinelRows.bytes(event, integration);
                ids.add(new EventKey(item.account, item.eventId));
            } catch (InvalidEventException e) {
                item.dead(e.getMessage(), null);
            }
        }
        Set<EventKey> done = store.doneEvents(integration, ids);
        for (SentinelBatch.Item item : batch.items) {
            if (item.state == SentinelBatch.State.PENDING && done.contains(new EventKey(item.account, item.eventId))) {
                item.state = SentinelBatch.State.ALREADY_DONE;
            }
        }
        exchange.setProperty("callsLeft", batch.hasPending());
    }

    /** The body of the next call: a JSON array of pending rows, at most max-call-bytes. Sets callRows. */
    public byte[] nextCall(@ExchangeProperty("sentinelBatch") SentinelBatch batch, Exchange exchange) {
        List<SentinelBatch.Item> rows = batch.nextCall(limits.maxCallBytes());
        exchange.setProperty("callRows", rows.size());
        return SentinelBatch.body(rows);
    }

    /**
     * Reads the answer to the call: 2xx delivers its rows. A first 401 makes the same call again
     * with a fresh token. A refusal (4xx but 401, 408, 429) of a call of several rows sends each of
     * them alone, so only a bad row is refused; a refused row alone goes to the dead-letter queue.
     * A second 401, 429, 408, 5xx: the exception the route's error handling acts on (the batch's
     * pending events to the dead-letter queue, or back on the queue, paced or with back-off).
     */
    public void answered(@ExchangeProperty("sentinelBatch") SentinelBatch batch, @Header(Exchange.HTTP_RESPONSE_CODE) int status,
                         @Header("Retry-After") String retryAfter, @Body String body, Exchange exchange) {
        try {
            reply.check(batch.integration, CALL, status, retryAfter, body);
            batch.tokenRenewed = false;
            delivered(batch);
        } catch (TokenRejectedException refused) {
            // the token is forgotten (DefenderReply): the same call once more with a fresh one; a
            // second 401 goes to the error handling, which dead-letters the batch's pending events.
            // Done here rather than by Camel's redelivery, whose counter is a message header
            if (batch.tokenRenewed) {
                throw refused;
            }
            batch.tokenRenewed = true;
        } catch (PermanentDeliveryException refused) {
            if (batch.call.size() > 1) {
                LOG.warn("{}: a call of {} rows was refused ({}); each row goes alone", batch.integration.name(),
                        batch.call.size(), refused.getMessage());
                batch.call.forEach(item -> item.alone = true);
            } else {
                batch.call.forEach(item -> item.dead(refused.getMessage(), refused.getHttpStatus()));
            }
        }
        exchange.setProperty("callsLeft", batch.hasPending());
    }

    /**
     * The call's rows are in the workspace: recorded in the store at once, before the batch's
     * commit, so that after a crash the events of an answered call are not sent again even when a
     * later call of the same batch was under way.
     */
    private void delivered(SentinelBatch batch) {
        long now = System.currentTimeMillis();
        long latest = -1;
        List<String> ids = new ArrayList<>(batch.call.size());
        List<EventKey> events = new ArrayList<>(batch.call.size());
        for (SentinelBatch.Item item : batch.call) {
            ids.add(item.eventId);
            events.add(new EventKey(item.account, item.eventId));
            if (item.receivedAt > 0) {
                latest = Math.max(latest, now - item.receivedAt);
            }
        }
        store.markAllDone(batch.integration.name(), events, OUTCOME);
        batch.call.forEach(item -> item.state = SentinelBatch.State.DELIVERED);
        DELIVERED.info("{} {}: {} row(s) to {}, events {}, latency up to {} ms", OUTCOME, batch.integration.name(),
                ids.size(), batch.integration.sentinel().stream(), summary(ids), latest);
    }

    /** Dry-run: the call as one JSON line of {data-dir}/dry-run-sentinel.jsonl instead; its rows count as delivered. */
    public void dryRun(@ExchangeProperty("sentinelBatch") SentinelBatch batch, @Body byte[] body, Exchange exchange) throws IOException {
        Integration integration = batch.integration;
        ObjectNode line = JSON.createObjectNode()
                .put("integration", integration.name())
                .put("tenant", integration.tenantId())
                .put("operation", "ingest")
                .put("method", "POST")
                .put("url", integration.sentinel().uploadUrl());
        line.set("body", JSON.readTree(body));
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (SentinelBatches.class) {
            try {
                Files.createDirectories(dryRunFile.toAbsolutePath().getParent());
                Files.write(dryRunFile, bytes, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to " + dryRunFile, e);
            }
        }
        delivered(batch);
        exchange.setProperty("callsLeft", batch.hasPending());
    }

    /**
     * Every call answered (each delivered call recorded in the store as it answered): refused
     * events on the dead-letter queue, then one commit acknowledges the batch.
     */
    public void finish(@ExchangeProperty("sentinelBatch") SentinelBatch batch) throws JMSException {
        try {
            deadLetters(batch);
            batch.session.commit();
            count(batch);
        } finally {
            close(batch, false);
        }
    }

    /**
     * A call failed as a whole: every event still pending (the rows of earlier calls are
     * delivered and recorded already) goes back on the queue (429: when Retry-After allows, without using an attempt;
     * 408, 5xx, no answer: with back-off and one attempt more, or to the dead-letter queue once
     * bridge.delivery.max-attempts are used) or, after a second 401 or a refusal, to the
     * dead-letter queue; one commit for all. When the broker or the store fails here, the session
     * rolls back instead and the broker delivers the batch again.
     */
    public void settle(@ExchangeProperty("sentinelBatch") SentinelBatch batch, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure)
            throws JMSException {
        if (batch == null || batch.closed) {
            // no batch taken (the broker is away): wait a moment, so the route's next try does not spin
            LOG.warn("sentinel delivery could not take a batch: {}", failure == null ? null : failure.getMessage());
            try {
                Thread.sleep(IDLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        String name = batch.integration.name();
        boolean committed = false;
        try {
            List<SentinelBatch.Item> pending = batch.in(SentinelBatch.State.PENDING);
            String reason = failure == null ? "unknown failure" : EmailMask.mask(String.valueOf(failure.getMessage()));
            if (failure instanceof ThrottledException throttled) {
                gate.close(batch.integration, CALL, throttled.getRetryAtMillis());
                operations.rateLimited(name, reason);
                THROTTLED.warn("{}: {}; no call to tenant {} before {}", name, reason, batch.integration.tenantId(), throttled.getRetryAt());
                for (SentinelBatch.Item item : pending) {
                    requeue(batch, item, throttled.getRetryAtMillis(), item.attempt);
                }
            } else if (failure instanceof StoreUnavailableException) {
                // the bridge's own outage, not the tenant's: no attempt used, the events wait in the broker
                for (SentinelBatch.Item item : pending) {
                    requeue(batch, item, System.currentTimeMillis() + STORE_RETRY_MS, item.attempt);
                }
                RETRY.warn("{}: the store does not answer ({}); {} event(s) are due again in {} ms", name, reason, pending.size(), STORE_RETRY_MS);
            } else if (failure instanceof TokenRejectedException || failure instanceof PermanentDeliveryException
                    || failure instanceof InvalidEventException) {
                for (SentinelBatch.Item item : pending) {
                    item.dead(reason, failure instanceof DeliveryException d ? d.getHttpStatus() : null);
                }
            } else {
                boolean tenants = TenantFailures.isTenantFailure(failure);
                if (tenants) {
                    gate.recordFailure(batch.integration, CALL);
                }
                for (SentinelBatch.Item item : pending) {
                    if (retries.mayRetry(item.attempt)) {
                        requeue(batch, item, retries.nextAttemptAt(item.attempt), item.attempt + 1);
                        operations.retried(name, reason, tenants);
                    } else {
                        item.dead("gave up after " + item.attempt + " attempts: " + reason,
                                failure instanceof DeliveryException d ? d.getHttpStatus() : null);
                    }
                }
                if (!pending.isEmpty()) {
                    RETRY.warn("{}: a call of {} row(s) failed: {}; its events are due again with back-off", name, pending.size(), reason);
                }
            }
            deadLetters(batch);
            batch.session.commit();
            committed = true;
            count(batch);
        } catch (JMSException | RuntimeException e) {
            LOG.warn("{}: the batch of {} event(s) rolls back to its queue: {}", name, batch.size(), e.getMessage());
        } finally {
            close(batch, !committed);
        }
    }

    private void deadLetters(SentinelBatch batch) throws JMSException {
        List<SentinelBatch.Item> dead = batch.in(SentinelBatch.State.DEAD);
        if (dead.isEmpty()) {
            return;
        }
        try (MessageProducer producer = batch.session.createProducer(batch.session.createQueue(deadLetterQueue))) {
            for (SentinelBatch.Item item : dead) {
                Message message = copy(batch.session, item);
                message.setStringProperty("bridgeError", item.reason);
                message.setStringProperty("bridgeIntegration", batch.integration.name());
                if (item.eventId != null) {
                    message.setStringProperty("bridgeEventId", item.eventId);
                }
                if (item.httpStatus != null) {
                    message.setIntProperty("bridgeHttpStatus", item.httpStatus);
                }
                producer.send(message, DeliveryMode.PERSISTENT, item.message.getJMSPriority(), 0);
                DEAD_LETTER.warn("dead letter {}: event {}: {}", batch.integration.name(), item.eventId, item.reason);
            }
        }
    }

    /** Back on the integration's queue, due at {@code at}: the body as it came, with its priority and group. */
    private void requeue(SentinelBatch batch, SentinelBatch.Item item, long at, int attempt) throws JMSException {
        try (MessageProducer producer = batch.session.createProducer(batch.session.createQueue(queue(batch.integration.name())))) {
            Message message = copy(batch.session, item);
            String group = item.message.getStringProperty("JMSXGroupID");
            if (group != null) {
                message.setStringProperty("JMSXGroupID", group);
            }
            message.setStringProperty("bridgeIntegration", batch.integration.name());
            if (item.receivedAt > 0) {
                message.setLongProperty("bridgeReceivedAt", item.receivedAt);
            }
            message.setIntProperty("bridgeAttempt", attempt);
            message.setLongProperty("_AMQ_SCHED_DELIVERY", at);
            producer.send(message, DeliveryMode.PERSISTENT, item.message.getJMSPriority(), 0);
        }
    }

    private static Message copy(Session session, SentinelBatch.Item item) throws JMSException {
        if (item.body instanceof byte[] bytes) {
            BytesMessage message = session.createBytesMessage();
            message.writeBytes(bytes);
            return message;
        }
        return session.createTextMessage((String) item.body);
    }

    private void count(SentinelBatch batch) {
        String name = batch.integration.name();
        operations.deliveredRows(name, batch.in(SentinelBatch.State.DELIVERED).size());
        for (SentinelBatch.Item item : batch.in(SentinelBatch.State.DEAD)) {
            operations.deadLettered(name, item.reason, false);
        }
    }

    private static void close(SentinelBatch batch, boolean rollback) {
        if (batch.closed) {
            return;
        }
        batch.closed = true;
        try {
            if (rollback) {
                batch.session.rollback();
            }
        } catch (JMSException e) {
            LOG.debug("rollback failed", e);
        }
        try {
            batch.consumer.close();
            batch.session.close();
        } catch (JMSException e) {
            LOG.debug("closing the batch's session failed", e);
        }
        try {
            batch.connection.close();
        } catch (JMSException e) {
            LOG.debug("closing the batch's connection failed", e);
        }
    }

    private static String summary(List<String> ids) {
        if (ids.size() <= 5) {
            return String.join(", ", ids);
        }
        return String.join(", ", ids.subList(0, 5)) + " and " + (ids.size() - 5) + " more";
    }
}
