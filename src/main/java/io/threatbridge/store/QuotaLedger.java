package io.threatbridge.store;

import java.util.List;

/** The calls counted in each quota's windows, shared by every instance that uses the same store. */
public interface QuotaLedger {

    /** Counts the call when every window has room and returns 0, else returns the milliseconds until they may have. */
    long countCall(String quotaKey, String callId, List<QuotaWindow> windows);

    /** The call's answer came: it counts from now. */
    void recountCall(String quotaKey, String callId);
}
