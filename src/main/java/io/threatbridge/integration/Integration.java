package io.threatbridge.integration;

import io.threatbridge.event.Severity;

import java.util.List;

/**
 * One entry of the integrations file: a customer's Defender tenant and which console accounts feed it.
 * {@code sentinel} is set for {@code api: sentinel} only (interface.md section 5d), null otherwise.
 */
public record Integration(String name, String tenantId, List<String> accounts, FilterLevel filterLevel,
                          String apiUrl, Api api, boolean enabled, Sentinel sentinel) {

    /** Where a Sentinel integration's rows go: the ingestion endpoint, the data collection rule and its stream. */
    public record Sentinel(String ingestionUrl, String dcrImmutableId, String stream) {

        /** The Logs Ingestion API call of interface.md section 5d. */
        public String uploadUrl() {
            return ingestionUrl + "/dataCollectionRules/" + dcrImmutableId + "/streams/" + stream + "?api-version=2023-01-01";
        }
    }

    public enum Api {
        endpoint("Defender"), graph("Graph"),
        sentinel("Sentinel");

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
