package io.threatbridge.microsoft;

import io.threatbridge.event.ThreatEvent;
import io.threatbridge.store.PendingCreate;

/**
 * What differs between the two alert APIs an alert can be made on (Defender for Endpoint, Graph):
 * the requests built from an event and the reading of a list of recent alerts. Everything else
 * (tokens, pacing, statuses, retries, the store, dead letters) is shared.
 */
public interface AlertApi {

    /** @param anchor the event Defender holds for the device (Defender for Endpoint); ignored by Graph */
    DefenderRequest createRequest(ThreatEvent event, Anchor anchor);

    DefenderRequest resolveRequest(ThreatEvent event, String alertId);

    /** Lists the alerts created since shortly before an unanswered create call. */
    DefenderRequest lookupRequest(PendingCreate pending);

    /** The alert an unanswered create call made, found in the lookup's answer; null when there is none. */
    String matchingAlert(String body, ThreatEvent event, PendingCreate pending);
}
