package io.threatbridge.defender;

import io.threatbridge.integration.Integration;
import io.threatbridge.store.StoreUnavailableException;
import org.apache.camel.ExchangeProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps each tenant within Defender's quotas (bridge.defender.create-per-minute and
 * update-per-minute, bridge.graph.* for Graph): a sliding window of the calls made in the last
 * minute; a call that would exceed it waits until the oldest leaves the window. Only the delivery
 * routes of that tenant wait. The quota is the tenant's, so integrations on one tenant share it.
 * The window is kept in the store ({@link Ledger}), not in this process: with several bridge
 * instances, two integrations of one tenant may be delivered by two instances, and an instance that
 * takes an integration over from a dead one must see the calls that one made.
 */
public class TenantPacer {

    private static final Logger LOG = LoggerFactory.getLogger(TenantPacer.class);

    /** A quota per API: creates, and updates (resolves and look-ups) per window; 0 means no limit. */
    public record Quota(int creates, int updates) {
    }

    /** The calls counted in each quota's window, shared by every instance that uses the same store. */
    public interface Ledger {

        /** Counts the call when the window has room and returns 0, else returns the milliseconds until it may have. */
        long countCall(String quotaKey, String callId, int limit, long windowMillis);

        /** The call's answer came: it counts from now. */
        void recountCall(String quotaKey, String callId);
    }

    /**
     * One call's place in its window. It counts from when the call was allowed until its answer
     * came, then from the answer: Defender saw the call somewhere in between, so counting from the
     * answer can never let the next window start early.
     */
    public static final class Slot {
        private final String quotaKey;
        private final String callId;

        private Slot(String quotaKey, String callId) {
            this.quotaKey = quotaKey;
            this.callId = callId;
        }
    }

    private static final Slot UNLIMITED = new Slot(null, null);

    private final Map<Integration.Api, Quota> quotas;
    private final long windowMillis;
    private final Ledger ledger;
    private final Map<String, ReentrantLock> waiting = new ConcurrentHashMap<>();

    /** @param windowMillis the length of the window: a minute, shorter only in tests and benchmarks */
    public TenantPacer(Map<Integration.Api, Quota> quotas, long windowMillis, Ledger ledger) {
        this.quotas = Map.copyOf(quotas);
        this.windowMillis = windowMillis;
        this.ledger = ledger;
    }

    /** Waits, if need be, until the call may go out within the tenant's quota, and counts it. */
    public Slot acquire(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request)
            throws InterruptedException {
        Quota quota = quotas.get(integration.api());
        boolean create = request.operation() == DefenderRequest.Operation.create;
        int limit = create ? quota.creates() : quota.updates();
        if (limit <= 0) {
            return UNLIMITED;
        }
        String quotaKey = integration.tenantId() + " " + integration.api() + (create ? " create" : " update");
        // the routes of this instance that wait for the same quota ask the store one at a time
        ReentrantLock turn = waiting.computeIfAbsent(quotaKey, key -> new ReentrantLock(true));
        turn.lockInterruptibly();
        try {
            Slot slot = new Slot(quotaKey, UUID.randomUUID().toString());
            long wait;
            while ((wait = ledger.countCall(quotaKey, slot.callId, limit, windowMillis)) > 0) {
                TimeUnit.MILLISECONDS.sleep(wait);
            }
            return slot;
        } finally {
            turn.unlock();
        }
    }

    /** The call's answer came: its slot counts from now. */
    public void answered(@ExchangeProperty("quotaSlot") Slot slot) {
        if (slot == UNLIMITED) {
            return;
        }
        try {
            ledger.recountCall(slot.quotaKey, slot.callId);
        } catch (StoreUnavailableException e) {
            // the call is made and answered: failing now would make it again. Its slot keeps counting
            // from when it was allowed, which can let the next window start early by the call's duration
            LOG.warn("could not count the answered call to {} from its answer: {}", slot.quotaKey, e.getMessage());
        }
    }
}
