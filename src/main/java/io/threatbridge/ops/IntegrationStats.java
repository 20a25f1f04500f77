package io.threatbridge.ops;

import io.threatbridge.integration.IntegrationRoutes;
import org.apache.camel.CamelContext;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** What one integration has done since the bridge started, and its pause switch, for JMX. */
public class IntegrationStats implements IntegrationMBean {

    private final String name;
    private final CamelContext camel;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong rateLimited = new AtomicLong();
    private volatile String lastError = "";
    private volatile Instant lastDeliveredAt;
    /** Deliveries the tenant failed (its answer, its Azure AD, the connection to it) since the last one that succeeded. */
    private final AtomicLong failuresInARow = new AtomicLong();

    IntegrationStats(String name, CamelContext camel) {
        this.name = name;
        this.camel = camel;
    }

    String name() {
        return name;
    }

    void delivered() {
        delivered.incrementAndGet();
        lastDeliveredAt = Instant.now();
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
        lastError = reason;
    }

    private void countFailure(boolean tenantFailed) {
        if (tenantFailed) {
            failuresInARow.incrementAndGet();
        }
    }

    long failuresInARow() {
        return failuresInARow.get();
    }

    @Override
    public long getDelivered() {
        return delivered.get();
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
        camel.getRouteController().suspendRoute(IntegrationRoutes.routeId(name));
    }

    @Override
    public void resume() throws Exception {
        camel.getRouteController().resumeRoute(IntegrationRoutes.routeId(name));
    }
}
