package io.threatbridge.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a vendor's message into its records: one JSON object, or a JSON array of them
 * (interface.md 4b). The parser applies section 4's limits to every record (nesting, key and
 * string length, no duplicate keys) while it reads; a message it cannot read as a whole is refused
 * whole, since its records cannot then be told apart safely. Each record keeps its own text.
 */
final class VendorRecords {

    /** A message of records: room for an export page of 500 Zimperium records (about 2 KiB each) and more; each record is also held to section 4's 256 KiB. */
    static final int MAX_MESSAGE_BYTES = EventValidator.MAX_VENDOR_MESSAGE_BYTES;
    static final int MAX_RECORDS = 1000;

    /** Section 4's limits; the array adds one level of nesting. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_MESSAGE_BYTES)
                    .maxNestingDepth(65)
                    .maxNameLength(256)
                    .maxStringLength(64 * 1024)
                    .maxNumberLength(100)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    record Raw(JsonNode tree, String text) {
    }

    private VendorRecords() {
    }

    static List<Raw> read(Object body) {
        String text = text(body);
        List<Raw> records = new ArrayList<>();
        try (JsonParser parser = MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                records.add(new Raw(MAPPER.readTree(parser), text));
            } else if (first == JsonToken.START_ARRAY) {
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token == null) {
                        throw new InvalidEventException("message body: not valid JSON: the array is not closed");
                    }
                    if (records.size() == MAX_RECORDS) {
                        throw new InvalidEventException("message body: more than " + MAX_RECORDS + " records; send them in several messages");
                    }
                    int start = (int) parser.currentTokenLocation().getCharOffset();
                    JsonNode tree = MAPPER.readTree(parser);
                    int end = (int) parser.currentLocation().getCharOffset();
                    records.add(new Raw(tree, text.substring(start, end)));
                }
                if (records.isEmpty()) {
                    throw new InvalidEventException("message body: an empty array, no record in it");
                }
            } else {
                throw new InvalidEventException("message body: expected a JSON object or an array of them, got "
                        + (first == null ? "nothing" : first.asString() == null ? first.name().toLowerCase() : "'" + first.asString() + "'"));
            }
            if (parser.nextToken() != null) {
                throw new InvalidEventException("message body: not valid JSON: more after the " + (first == JsonToken.START_OBJECT ? "object" : "array")
                        + " at line " + parser.currentTokenLocation().getLineNr() + ", column " + parser.currentTokenLocation().getColumnNr());
            }
        } catch (StreamConstraintsException e) {
            throw new InvalidEventException("message body: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("message body: not valid JSON: " + firstLine(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return records;
    }

    private static String text(Object body) {
        return EventValidator.bodyText(body, MAX_MESSAGE_BYTES, " for a message of vendor records");
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
