package io.threatbridge.microsoft;

import com.fasterxml.jackson.databind.JsonNode;

/** One call to Microsoft, before it is sent: what dry-run writes down and live mode posts. */
public record DefenderRequest(Service service, Operation operation, String method, String path, JsonNode body) {

    public enum Operation { create, resolve, lookup, hunt }

    /**
     * The Microsoft API a call goes to. Each has its own base URL, token audience, quotas and
     * throttling: a 429 from one holds back only that tenant's calls to that one.
     */
    public enum Service {
        /** Defender for Endpoint's alert API: the integration's apiUrl (bridge.defender.api-url). */
        defender("Defender"),
        /** Microsoft Graph security alerts (bridge.graph.api-url, beta). */
        graph("Graph"),
        /** Microsoft Graph advanced hunting (bridge.hunting.api-url, v1.0), for anchors. */
        hunting("Advanced hunting"),
        /** Microsoft Sentinel's Logs Ingestion API (the integration's sentinel.ingestionUrl). */
        sentinel("Sentinel");

        private final String label;

        Service(String label) {
            this.label = label;
        }

        /** How error messages name the service that answered. */
        public String label() {
            return label;
        }

        /** The service a call goes to: the request's; without one (a failure before any call) Defender for Endpoint's. */
        public static Service of(DefenderRequest request) {
            return request == null ? defender : request.service();
        }
    }

    /** The body as it goes on the wire. */
    public String json() {
        return body == null ? null : body.toString();
    }

    /** Whether a call's answer can have made an alert that the bridge did not hear of. */
    public boolean isCreate() {
        return operation == Operation.create;
    }
}
