package io.threatbridge.delivery;

import io.threatbridge.microsoft.DefenderRequest;

import io.threatbridge.integration.Integration;
import io.threatbridge.store.QuotaLedger;
import io.threatbridge.store.QuotaWindow;
import io.threatbridge.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps each tenant within Microsoft's quotas, one sliding-window mechanism for all of them
 * (interface.md section 2): Defender for Endpoint's creates per minute and updates per minute and
 * per hour, Graph's creates and updates per minute, and advanced hunting's calls per minute and per
 * hour. A call that would exceed any window of its quota waits until the oldest call leaves that
 * window: a short wait in the thread, a longer one with the event back on its queue (TenantBusyException)
 * and the tenant's queue left alone meanwhile, so no other tenant waits. The quota is the tenant's, so integrations
 * on one tenant share it. The windows are kept in the store ({@link QuotaLedger}), not in this process:
 * with several bridge instances, two integrations of one tenant may be delivered by two instances,
 * and an instance that takes an integration over from a dead one must see the calls that one made.
 */
public class TenantPacer {

    private static final Logger LOG = LoggerFactory.getLogger(TenantPacer.class);

    /** The windows of one kind of call (a service's creates, or its other calls); none: unlimited. */
    public record Quota(List<QuotaWindow> windows) {

        public Quota {
            windows = windows.stream().filter(window -> window.limit() > 0).toList();
        }

        public static Quota of(QuotaWindow... windows) {
            return new Quota(List.of(windows));
        }
    }

    /** Which quota a call counts against: creates, or everything else (resolves, look-ups, hunting queries). */
    public record Kind(DefenderRequest.Service service, boolean create) {

        public static Kind of(DefenderRequest request) {
            return new Kind(request.service(), request.isCreate());
        }

        String label() {
            return service + (create ? " create" : " update");
        }
    }

    /**
     * One call's place in its windows. It counts from when the call was allowed until its answer
     * came, then from the answer: Microsoft saw the call somewhere in between, so counting from the
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

    private final Map<Kind, Quota> quotas;
    private final QuotaLedger ledger;
    private final Map<String, ReentrantLock> waiting = new ConcurrentHashMap<>();

    public TenantPacer(Map<Kind, Quota> quotas, QuotaLedger ledger) {
        this.quotas = Map.copyOf(quotas);
        this.ledger = ledger;
    }

    /**
     * Counts the call when it may go out within the tenant's quota, after a short wait if the window
     * frees soon; otherwise throws, so the event goes back on its queue until then and no delivery
     * lane waits for one tenant's quota.
     */
    public Slot acquire(Integration integration, DefenderRequest request)
            throws InterruptedException, TenantBusyException {
        Kind kind = Kind.of(request);
        Quota quota = quotas.get(kind);
        if (quota == null || quota.windows().isEmpty()) {
            return UNLIMITED;
        }
        String quotaKey = integration.tenantId() + " " + kind.label();
        // the routes of this instance that wait for the same quota ask the store one at a time
        ReentrantLock turn = waiting.computeIfAbsent(quotaKey, key -> new ReentrantLock(true));
        turn.lockInterruptibly();
        try {
            Slot slot = new Slot(quotaKey, UUID.randomUUID().toString());
            long wait;
            while ((wait = ledger.countCall(quotaKey, slot.callId, quota.windows())) > 0) {
                if (wait > TenantBusyException.WAITED_IN_THREAD_MS) {
                    throw new TenantBusyException("the " + kind.label() + " quota of tenant " + integration.tenantId() + " is spent",
                            java.time.Instant.now().plusMillis(wait));
                }
                TimeUnit.MILLISECONDS.sleep(wait);
            }
            return slot;
        } finally {
            turn.unlock();
        }
    }

    /** The call's answer came: its slot counts from now. */
    public void answered(Slot slot) {
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
