package io.threatbridge.integration;

import io.threatbridge.event.Severity;

import java.util.List;

/** One entry of the integrations file: a customer's Defender tenant and which console accounts feed it. */
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

    public enum Api {
        endpoint("Defender"), graph("Graph");

        private final String service;

        Api(String service) {
            this.service = service;
        }

        /** How error messages name the service that answered. */
        public String service() {
            return service;
        }
    }

    /** The content-based router asks this: does the integration want an event of that severity? */
    public boolean admits(Severity severity) {
        return filterLevel.admits(severity);
    }
}
