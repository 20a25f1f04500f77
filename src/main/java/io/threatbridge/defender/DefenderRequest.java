package io.threatbridge.defender;

import com.fasterxml.jackson.databind.JsonNode;

/** One call to Defender, before it is sent: what dry-run writes down and live mode posts. */
public record DefenderRequest(Operation operation, String method, String path, JsonNode body) {

    public enum Operation { create, resolve, lookup }

    /** The body as it goes on the wire. */
    public String json() {
        return body == null ? null : body.toString();
    }
}
