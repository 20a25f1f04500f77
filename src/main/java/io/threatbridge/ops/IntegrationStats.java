package io.threatbridge.ops;

import io.threatbridge.integration.DeliveryControl;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** What one integration has done since the bridge started, and its pause switch, for JMX. */
public class IntegrationStats implements IntegrationMBean {

    private final String name;
    private final DeliveryControl delivery;
    private final AtomicLong delivered = new AtomicLong();
    /** Deliveries of the current UTC day (deliveredDay), for the console's Threat Reporting page. */
    private long deliveredToday;
    private java.time.LocalDate deliveredDay;
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private volatile String lastError = "";
    private volatile Instant lastDeliveredAt;
    /** Deliveries the tenant failed (its answer, its Azure AD, the connection to it) since the last one that succeeded. */
    private final AtomicLong failuresInARow = new AtomicLong();
    private volatile long lastFailureAt;
    private volatile long lastRateLimitedAt;
    private volatile long lastDeliveredMillis;
    private final LongSupplier clock;

    /**
     * How long a failure or a 429 counts. A tenant still failing fails again well within it (the
     * circuit lets a call through at least every TenantGate.LONGEST_PAUSE); one that has had no
     * call since, because no event came, is no longer reported failing: its state recovers by
     * itself rather than wait for a delivery that may never come.
     */
    static final long RECENT_MILLIS = 60_000;

    private final long failuresToReport;

    /** @param failuresToReport deliveries in a row that must fail before the state is FAILING; 0: never */
    IntegrationStats(String name, DeliveryControl delivery, long failuresToReport) {
        this(name, delivery, failuresToReport, System::currentTimeMillis);
    }

    IntegrationStats(String name, DeliveryControl delivery, long failuresToReport, LongSupplier clock) {
        this.name = name;
        this.delivery = delivery;
        this.failuresToReport = failuresToReport;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    void delivered() {
        delivered.incrementAndGet();
        synchronized (this) {
            java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
            if (!today.equals(deliveredDay)) {
                deliveredDay = today;
                deliveredToday = 0;
            }
            deliveredToday++;
        }
        lastDeliveredAt = Instant.now();
        lastDeliveredMillis = clock.getAsLong();
        failuresInARow.set(0);
    }

    void filtered() {
        filtered.incrementAndGet();
    }

    void deadLettered(String reason, boolean tenantFailed) {
        deadLettered.incrementAndGet();
        countFailure(tenantFailed);
        lastError = reason;
    }

    void retried(String reason, boolean tenantFailed) {
        retried.incrementAndGet();
        countFailure(tenantFailed);
        lastError = reason;
    }

    void rateLimited(String reason) {
        rateLimited.incrementAndGet();
        lastRateLimitedAt = clock.getAsLong();
        lastError = reason;
    }

    private void countFailure(boolean tenantFailed) {
        if (tenantFailed) {
            lastFailureAt = clock.getAsLong();
            failuresInARow.incrementAndGet();
        }
    }

    /** The tenant's failures since its last success, while the last of them is recent; 0 after that. */
    long failuresInARow() {
        return recent(lastFailureAt) ? failuresInARow.get() : 0;
    }

    private boolean recent(long at) {
        return at != 0 && clock.getAsLong() - at < RECENT_MILLIS;
    }

    /**
     * interface.md section 6: PAUSED while an operator paused it; FAILING while its last
     * failuresToReport deliveries failed, the last recently; THROTTLED after a recent 429 with
     * no delivery since; UP otherwise. FAILING and THROTTLED end by themselves.
     */
    @Override
    public String getState() {
        if (delivery != null && delivery.isPaused(name)) {
            return "PAUSED";
        }
        if (failuresToReport > 0 && failuresInARow() >= failuresToReport) {
            return "FAILING";
        }
        if (recent(lastRateLimitedAt) && lastRateLimitedAt >= lastDeliveredMillis) {
            return "THROTTLED";
        }
        return "UP";
    }

    @Override
    public long getDelivered() {
        return delivered.get();
    }

    /** Deliveries since midnight UTC (since the start when it was later). */
    public synchronized long getDeliveredToday() {
        return java.time.LocalDate.now(java.time.ZoneOffset.UTC).equals(deliveredDay) ? deliveredToday : 0;
    }

    @Override
    public long getFiltered() {
        return filtered.get();
    }

    @Override
    public long getDeadLettered() {
        return deadLettered.get();
    }

    @Override
    public long getRetried() {
        return retried.get();
    }

    @Override
    public long getRateLimited() {
        return rateLimited.get();
    }

    @Override
    public String getLastError() {
        return lastError;
    }

    @Override
    public String getLastDeliveredAt() {
        Instant at = lastDeliveredAt;
        return at == null ? "" : at.toString();
    }

    @Override
    public void pause() throws Exception {
        delivery.pause(name);
    }

    @Override
    public void resume() throws Exception {
        delivery.resume(name);
    }
}
