package io.threatbridge.integration;

import io.threatbridge.event.Severity;

import java.util.List;

/**
 * One entry of the integrations file: a customer's tenant and which console accounts feed it.
 * {@code apiUrl} is the Defender for Endpoint API's base URL for this tenant (a regional host);
 * {@code sentinel} is set for {@code api: sentinel} only (interface.md section 5d), null otherwise.
 */
public record Integration(String name, String tenantId, List<String> accounts, FilterLevel filterLevel,
                          String apiUrl, Api api, boolean enabled, List<String> senders, Sentinel sentinel) {

    /** Where a Sentinel integration's rows go: the ingestion endpoint, the data collection rule and its stream. */
    public record Sentinel(String ingestionUrl, String dcrImmutableId, String stream) {

        /** The Logs Ingestion API call of interface.md section 5d. */
        public String uploadUrl() {
            return ingestionUrl + "/dataCollectionRules/" + dcrImmutableId + "/streams/" + stream + "?api-version=2023-01-01";
        }
    }

    /** An entry without senders (any broker user may send its accounts' events), not for Sentinel. */
    public Integration(String name, String tenantId, List<String> accounts, FilterLevel filterLevel,
                       String apiUrl, Api api, boolean enabled) {
        this(name, tenantId, accounts, filterLevel, apiUrl, api, enabled, List.of(), null);
    }

    /**
     * Whether a broker user (the one the broker validated, or null when it stamped none) may send
     * events for this entry's accounts (interface.md section 3, senders).
     */
    public boolean acceptsSender(String sender) {
        return senders.isEmpty() || sender != null && senders.contains(sender);
    }

    /** Where the integration's alerts go (interface.md section 3). */
    public enum Api {
        /** Defender for Endpoint when the device has an anchor (an event Defender holds), Graph otherwise. */
        auto,
        /** Defender for Endpoint only: a device without an anchor is a dead letter. */
        endpoint,
        /** Microsoft Graph security alerts only. */
        graph,
        /** Microsoft Sentinel's Logs Ingestion API: a row per event, no alert (interface.md 5d). */
        sentinel;

        /** Whether the integration ever creates on Defender for Endpoint, and so needs anchors from hunting. */
        public boolean usesEndpoint() {
            return this == auto || this == endpoint;
        }
    }

    /** The content-based router asks this: does the integration want an event of that severity? */
    public boolean admits(Severity severity) {
        return filterLevel.admits(severity);
    }
}
