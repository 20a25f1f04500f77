package io.threatbridge.route;

import io.threatbridge.delivery.TenantBusyException;
import io.threatbridge.delivery.TenantFailures;
import io.threatbridge.delivery.TenantGate;
import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderRequest;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;

/** Bean "tenantGate": the routes' calls to the TenantGate of the integration's tenant and the request's service. */
public record TenantGateSteps(TenantGate gate) {

    /** Open, or opens soon: returns; otherwise TenantBusyException, and the event waits on its queue. */
    public void requireOpen(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request)
            throws InterruptedException, TenantBusyException {
        gate.requireOpen(integration, request);
    }

    /** Waits in the thread while it is closed (a Sentinel batch holds its session meanwhile). */
    public void awaitOpen(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request)
            throws InterruptedException {
        gate.awaitOpen(integration, request);
    }

    public void recordSuccess(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request) {
        gate.recordSuccess(integration, request);
    }

    /** A failed call counts toward the tenant's circuit when the failure is the tenant's (TenantFailures), not the bridge's. */
    public void recordFailure(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request,
                              @ExchangeProperty(Exchange.EXCEPTION_CAUGHT) Throwable failure) {
        if (integration != null && TenantFailures.isTenantFailure(failure)) {
            gate.recordFailure(integration, request);
        }
    }

    /** Closed until retryAt (epoch ms): a 429's Retry-After, a spent quota, a circuit that is open. */
    public void closeUntil(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request,
                           @ExchangeProperty("retryAt") long retryAt) {
        gate.close(integration, request, retryAt);
    }
}
