package io.threatbridge.defender;

import io.threatbridge.integration.Integration;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each tenant within Defender's quotas (bridge.defender.create-per-minute and
 * update-per-minute, bridge.graph.* for Graph): a sliding window of the calls made in the last
 * minute; a call that would exceed it waits until the oldest leaves the window. Only the delivery
 * routes of that tenant wait. The quota is the tenant's, so integrations on one tenant share it.
 * Across bridge instances it holds because each integration's queue is exclusive: one instance at a
 * time delivers it.
 */
public class TenantPacer {

    /** A quota per API: creates, and updates (resolves and look-ups) per window; 0 means no limit. */
    public record Quota(int creates, int updates) {
    }

    /**
     * One call's place in its window. It counts from when the call was allowed until its answer
     * came, then from the answer: Defender saw the call somewhere in between, so counting from the
     * answer can never let the next window start early.
     */
    public static final class Slot {
        private volatile long at;

        private Slot(long at) {
            this.at = at;
        }
    }

    private static final Slot UNLIMITED = new Slot(0);

    private final Map<Integration.Api, Quota> quotas;
    private final long windowMillis;
    private final Map<String, Deque<Slot>> windows = new ConcurrentHashMap<>();

    /** @param windowMillis the length of the window: a minute, shorter only in tests and benchmarks */
    public TenantPacer(Map<Integration.Api, Quota> quotas, long windowMillis) {
        this.quotas = Map.copyOf(quotas);
        this.windowMillis = windowMillis;
    }

    /** Waits, if need be, until the call may go out within the tenant's quota, and counts it. */
    public Slot acquire(Integration integration, DefenderRequest request) throws InterruptedException {
        Quota quota = quotas.get(integration.api());
        boolean create = request.operation() == DefenderRequest.Operation.create;
        int limit = create ? quota.creates() : quota.updates();
        if (limit <= 0) {
            return UNLIMITED;
        }
        Deque<Slot> window = windows.computeIfAbsent(integration.tenantId() + " " + integration.api() + (create ? " create" : " update"),
                key -> new ArrayDeque<>());
        synchronized (window) {
            while (true) {
                long now = System.currentTimeMillis();
                while (!window.isEmpty() && window.peekFirst().at <= now - windowMillis) {
                    window.pollFirst();
                }
                if (window.size() < limit) {
                    Slot slot = new Slot(now);
                    window.addLast(slot);
                    return slot;
                }
                window.wait(Math.max(1, window.peekFirst().at + windowMillis - now));
            }
        }
    }

    /** The call's answer came: its slot counts from now. */
    public void answered(Slot slot) {
        if (slot != UNLIMITED) {
            slot.at = System.currentTimeMillis();
        }
    }
}
