package io.threatbridge.route;

import io.threatbridge.delivery.TenantBusyException;
import io.threatbridge.delivery.TenantPacer;
import io.threatbridge.integration.Integration;
import io.threatbridge.microsoft.DefenderRequest;
import org.apache.camel.ExchangeProperty;

/** Bean "pacer": each call within its tenant's quota (TenantPacer). */
public record PacerSteps(TenantPacer pacer) {

    /** The call's slot in its quota's windows, after a short wait at most; else TenantBusyException. */
    public TenantPacer.Slot acquire(@ExchangeProperty("integration") Integration integration, @ExchangeProperty("request") DefenderRequest request)
            throws InterruptedException, TenantBusyException {
        return pacer.acquire(integration, request);
    }

    /** The call's answer came: its slot counts from now. */
    public void answered(@ExchangeProperty("quotaSlot") TenantPacer.Slot slot) {
        pacer.answered(slot);
    }
}
