package io.threatbridge.integration;

import io.threatbridge.event.Severity;

import java.util.List;

/**
 * One entry of the integrations file: a customer's tenant and which console accounts feed it.
 * {@code apiUrl} is the Defender for Endpoint API's base URL for this tenant (a regional host).
 */
public record Integration(String name, String tenantId, List<String> accounts, FilterLevel filterLevel,
                          String apiUrl, Api api, boolean enabled, List<String> senders) {

    /** An entry without senders: any broker user may send its accounts' events. */
    public Integration(String name, String tenantId, List<String> accounts, FilterLevel filterLevel,
                       String apiUrl, Api api, boolean enabled) {
        this(name, tenantId, accounts, filterLevel, apiUrl, api, enabled, List.of());
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
        graph;

        /** Whether the integration ever creates on Defender for Endpoint, and so needs anchors from hunting. */
        public boolean usesEndpoint() {
            return this != graph;
        }
    }

    /** The content-based router asks this: does the integration want an event of that severity? */
    public boolean admits(Severity severity) {
        return filterLevel.admits(severity);
    }
}
