package io.threatbridge.delivery;

import io.threatbridge.microsoft.DefenderRequest;

import io.threatbridge.integration.Integration;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds back calls to a tenant that answered 429 until its Retry-After has passed, and to a tenant
 * whose calls keep failing (a circuit breaker: after {@link #FAILURES_TO_OPEN} failures in a row no
 * call for a pause that doubles from {@link #FIRST_PAUSE} up to {@link #LONGEST_PAUSE}; one call
 * then tries again). The longest pause is short on purpose: once a tenant's outage ends, its first
 * delivery follows within it (interface.md section 1: within 30 s whatever the circuit did), and a
 * call every 20 s costs a tenant that is still down nothing. Only the delivery routes of that tenant
 * wait here; every other tenant's route runs on, and the waiting tenant's events stay on its queue.
 * Kept per tenant and service: Graph, advanced hunting and Defender for Endpoint throttle and fail apart.
 */
public class TenantGate {

    static final int FAILURES_TO_OPEN = 5;
    static final Duration FIRST_PAUSE = Duration.ofSeconds(5);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(20);

    private final Map<String, Instant> closedUntil = new ConcurrentHashMap<>();
    private final Map<String, Integer> failuresInARow = new ConcurrentHashMap<>();

    public void close(Integration integration, DefenderRequest request, long untilEpochMillis) {
        closedUntil.merge(key(integration, request), Instant.ofEpochMilli(untilEpochMillis),
                (a, b) -> a.isAfter(b) ? a : b);
    }

    /** A call to the tenant failed without an answer that blames the request (5xx, time-out, no connection). */
    public void recordFailure(Integration integration, DefenderRequest request) {
        int failures = failuresInARow.merge(key(integration, request), 1, Integer::sum);
        if (failures >= FAILURES_TO_OPEN) {
            int opened = failures - FAILURES_TO_OPEN;
            Duration pause = FIRST_PAUSE.multipliedBy(1L << Math.min(opened, 10));
            close(integration, request, Instant.now().plus(pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause).toEpochMilli());
        }
    }

    public void recordSuccess(Integration integration, DefenderRequest request) {
        failuresInARow.remove(key(integration, request));
    }

    /** Waits in the thread while the gate is closed (a Sentinel batch holds its session meanwhile). */
    public void awaitOpen(Integration integration, DefenderRequest request)
            throws InterruptedException {
        String key = key(integration, request);
        Instant until = closedUntil.get(key);
        while (until != null) {
            Duration wait = Duration.between(Instant.now(), until);
            if (wait.isNegative() || wait.isZero()) {
                closedUntil.remove(key, until);
                return;
            }
            Thread.sleep(Math.min(wait.toMillis() + 1, 1000));
            until = closedUntil.get(key);
        }
    }

    /**
     * Returns at once when the gate is open, after a short wait when it opens soon; otherwise throws,
     * so that the event goes back on its queue until then and its delivery lane is free for others.
     */
    public void requireOpen(Integration integration, DefenderRequest request)
            throws InterruptedException, TenantBusyException {
        String key = key(integration, request);
        Instant until = closedUntil.get(key);
        if (until == null) {
            return;
        }
        long wait = Duration.between(Instant.now(), until).toMillis();
        if (wait > TenantBusyException.WAITED_IN_THREAD_MS) {
            throw new TenantBusyException("calls to tenant " + integration.tenantId() + " (" + DefenderRequest.Service.of(request) + ") wait", until);
        }
        awaitOpen(integration, request);
    }

    /** Until when some calls to the integration's tenant wait (the latest of its services), or null when none do. */
    public Instant closedUntil(Integration integration) {
        Instant latest = null;
        for (DefenderRequest.Service service : DefenderRequest.Service.values()) {
            Instant until = closedUntil.get(integration.tenantId() + " " + service);
            if (until != null && (latest == null || until.isAfter(latest))) {
                latest = until;
            }
        }
        return latest;
    }

    private static String key(Integration integration, DefenderRequest request) {
        return integration.tenantId() + " " + DefenderRequest.Service.of(request);
    }
}
