package io.threatbridge.delivery;

import io.threatbridge.microsoft.DeliveryException;
import io.threatbridge.microsoft.NoAnchorException;

import java.io.IOException;

/**
 * Which failures are the tenant's: Defender's or Graph's answer, Azure AD, the connection to them.
 * Those count toward the tenant's circuit (TenantGate) and its health; the bridge's own broker and
 * store, which every tenant shares, have health checks of their own.
 */
public final class TenantFailures {

    private TenantFailures() {
    }

    public static boolean isTenantFailure(Throwable failure) {
        // a device without an anchor under api: endpoint is the event's matter, not the tenant's trouble
        return failure instanceof DeliveryException && !(failure instanceof NoAnchorException) || failure instanceof IOException;
    }
}
