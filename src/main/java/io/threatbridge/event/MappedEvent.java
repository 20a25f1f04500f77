package io.threatbridge.event;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * An event made from one record of a vendor's native format (interface.md 4b): its text (what the
 * delivery queues get), its tree (validated as it is, not parsed again), where it came from, and
 * which of the vendor's fields each event field was made from, so that an error names the vendor's field.
 *
 * @param origin       the record, for an error: "zimperium record 3 of 5"
 * @param vendorFields event field (threat.id) to the vendor's field(s) it came from (threat_uuid)
 */
public record MappedEvent(String text, JsonNode tree, String origin, Map<String, String> vendorFields) {

    /** The validator's error about the event, told in the vendor's field names. */
    public InvalidEventException explain(InvalidEventException error) {
        String message = error.getMessage();
        int colon = message.indexOf(": ");
        String field = colon > 0 ? message.substring(0, colon) : "";
        String vendorField = vendorFields.get(field);
        if (vendorField != null) {
            return new InvalidEventException(origin + ": " + vendorField + " (" + field + ")" + message.substring(colon));
        }
        return new InvalidEventException(origin + ": mapped event: " + message);
    }
}
