package io.threatbridge.format;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One record of a vendor's message: its tree, its text exactly as it came (the body the invalid
 * queue gets), its place in the message, and the format that maps it.
 */
public record VendorRecord(FormatMapping format, int index, int count, JsonNode tree, String text) {

    /** For errors: "zimperium record 3 of 5", or "zimperium record" when the message held one. */
    public String origin() {
        return format.name() + " record" + (count > 1 ? " " + (index + 1) + " of " + count : "");
    }
}
