package io.threatbridge.defender;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.http.HttpMethods;

/** One call to Defender, before it is sent: what dry-run writes down and live mode posts. */
public record DefenderRequest(Operation operation, String method, String path, JsonNode body) {

    public enum Operation { create, resolve, lookup }

    /**
     * The method as camel-http takes it: given as a string it would look up a type converter to
     * the enum on every call.
     */
    public HttpMethods httpMethod() {
        return HttpMethods.valueOf(method);
    }

    /** The body as it goes on the wire. */
    public String json() {
        return body == null ? null : body.toString();
    }
}
