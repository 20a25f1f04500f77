package io.threatbridge.route;

import io.threatbridge.delivery.TenantFailures;
import io.threatbridge.ops.Operations;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;

/** Bean "integrationCounters": each integration's counters (Operations: MBeans, metrics, health), counted by the routes. */
public record IntegrationCounters(Operations operations) {

    /** Counts a delivered alert; returns its latency since the bridge received the event, in ms (-1: not known). */
    public long delivered(@ExchangeProperty("integrationName") String integration, @ExchangeProperty("receivedAt") Long receivedAt) {
        return operations.delivered(integration, receivedAt);
    }

    public void filtered(@ExchangeProperty("integrationName") String integration) {
        operations.filtered(integration);
    }

    /** A 429: the reason is the exception's message. */
    public void rateLimited(@ExchangeProperty("integrationName") String integration, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        operations.rateLimited(integration, failure.getMessage());
    }

    /** A failed attempt that will be tried again; it counts against the tenant's health when the failure is the tenant's. */
    public void retried(@ExchangeProperty("integrationName") String integration, @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        operations.retried(integration, failure == null ? null : failure.getMessage(), TenantFailures.isTenantFailure(failure));
    }

    /** An event on the dead-letter queue, for the reason in its bridgeError. */
    public void deadLettered(@ExchangeProperty("integrationName") String integration, @Header("bridgeError") String reason,
                             @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        operations.deadLettered(integration, reason, TenantFailures.isTenantFailure(failure));
    }
}
