package io.threatbridge.sentinel;

import io.threatbridge.integration.Integration;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;

import java.util.ArrayList;
import java.util.List;

/**
 * The events of one Sentinel integration taken from its queue in one JMS transaction, and where
 * each of them is: waiting for its call, delivered (its call answered 2xx), finished with before
 * (a second copy), or refused for good. The transaction is committed only once every event is
 * delivered, recorded, put back for a retry or on the dead-letter queue.
 */
public final class SentinelBatch {

    enum State { PENDING, DELIVERED, ALREADY_DONE, DEAD }

    /** One event of the batch: its message as it came, and its row. */
    static final class Item {
        final Message message;
        /** The body as it came: a String (text message) or byte[] (bytes message). */
        final Object body;
        final int bodySize;
        final int attempt;
        final long receivedAt;
        String eventId;
        /** The event's account: the store keys events by it too (interface.md section 4). */
        String account;
        byte[] row;
        State state = State.PENDING;
        /** Refused within a call of several rows: sent alone from now on, so only a bad row is refused. */
        boolean alone;
        String reason;
        Integer httpStatus;

        Item(Message message, Object body, int bodySize, int attempt, long receivedAt) {
            this.message = message;
            this.body = body;
            this.bodySize = bodySize;
            this.attempt = attempt;
            this.receivedAt = receivedAt;
        }

        void dead(String why, Integer status) {
            state = State.DEAD;
            reason = why;
            httpStatus = status;
        }
    }

    final Integration integration;
    final Connection connection;
    final Session session;
    final MessageConsumer consumer;
    final List<Item> items = new ArrayList<>();
    /** The items of the call under way. */
    List<Item> call = List.of();
    boolean closed;
    /** A 401 was answered and the token renewed; a second one in a row is final. */
    boolean tokenRenewed;

    SentinelBatch(Integration integration, Connection connection, Session session, MessageConsumer consumer) {
        this.integration = integration;
        this.connection = connection;
        this.session = session;
        this.consumer = consumer;
    }

    public int size() {
        return items.size();
    }

    public Integration integration() {
        return integration;
    }

    boolean hasPending() {
        for (Item item : items) {
            if (item.state == State.PENDING) {
                return true;
            }
        }
        return false;
    }

    List<Item> in(State state) {
        List<Item> result = new ArrayList<>();
        for (Item item : items) {
            if (item.state == state) {
                result.add(item);
            }
        }
        return result;
    }

    /**
     * The rows of the next call, in the order the events came: as many pending rows as fit in
     * {@code maxBytes} (the JSON array's brackets and commas included). A row that alone is larger
     * goes alone, and so does a row that was refused within a call of several.
     */
    List<Item> nextCall(int maxBytes) {
        List<Item> rows = new ArrayList<>();
        long bytes = 2;
        for (Item item : items) {
            if (item.state != State.PENDING) {
                continue;
            }
            boolean first = rows.isEmpty();
            if (item.alone || !fitsInACall(item.row.length, maxBytes)) {
                if (first) {
                    rows.add(item);
                    break;
                }
                continue;
            }
            long after = bytes + item.row.length + (first ? 0 : 1);
            if (after > maxBytes) {
                break;
            }
            rows.add(item);
            bytes = after;
        }
        call = rows;
        return rows;
    }

    /** True when a row of this many bytes fits in a call of at most {@code maxBytes} (the array's brackets included). */
    static boolean fitsInACall(long rowBytes, int maxBytes) {
        return rowBytes + 2 <= maxBytes;
    }

    /** The JSON array of the call's rows. */
    static byte[] body(List<Item> rows) {
        int size = 2 + Math.max(0, rows.size() - 1);
        for (Item item : rows) {
            size += item.row.length;
        }
        byte[] body = new byte[size];
        int at = 0;
        body[at++] = '[';
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                body[at++] = ',';
            }
            byte[] row = rows.get(i).row;
            System.arraycopy(row, 0, body, at, row.length);
            at += row.length;
        }
        body[at] = ']';
        return body;
    }
}
