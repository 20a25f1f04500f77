package io.threatbridge.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.List;

/**
 * Parses and validates a threat event (interface.md section 4): the parser enforces the size
 * limits a JSON Schema cannot express, then schemas/threat-event.schema.json checks the shape,
 * then the few rules left (timestamps) are checked here. Every failure names the field.
 */
public class EventValidator {

    public static final int MAX_BYTES = 256 * 1024;
    /** A message in a vendor's format may hold many records (interface.md 4b): each is still held to {@link #MAX_BYTES}. */
    public static final int MAX_VENDOR_MESSAGE_BYTES = 4 * 1024 * 1024;
    private static final String SCHEMA = "/schemas/threat-event.schema.json";

    /** Limits are set on the factory so a hostile message is rejected while it is read, before it costs memory. */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxDocumentLength(MAX_BYTES)
                    .maxNestingDepth(64)
                    .maxNameLength(256)
                    .maxStringLength(64 * 1024)
                    .maxNumberLength(100)
                    .build())
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Schema schema;

    public EventValidator() {
        try (InputStream in = EventValidator.class.getResourceAsStream(SCHEMA)) {
            if (in == null) {
                throw new IllegalStateException(SCHEMA + " is missing from the classpath");
            }
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validates a message body (text or bytes) and returns the event, or throws {@link InvalidEventException}. */
    public ThreatEvent validate(Object body) {
        return validateTree(parse(text(body)));
    }

    /**
     * Validates an event mapped from a vendor's record (interface.md 4b) by the same rules: its
     * text within the size limit, its tree by the schema and the timestamp checks.
     */
    public ThreatEvent validateMapped(MappedEvent mapped) {
        String text = mapped.text();
        if (text.length() > MAX_BYTES || (text.length() * 3L > MAX_BYTES && text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES)) {
            throw tooLarge(text.getBytes(StandardCharsets.UTF_8).length, MAX_BYTES, "");
        }
        return validateTree(mapped.tree());
    }

    private ThreatEvent validateTree(JsonNode tree) {
        List<Error> errors = schema.validate(tree);
        if (!errors.isEmpty()) {
            throw new InvalidEventException(describe(errors));
        }
        ThreatEvent event = treeToEvent(tree);
        requireInstant("threat.detectedAt", event.threat().detectedAt());
        if (event.threat().resolvedAt() != null) {
            requireInstant("threat.resolvedAt", event.threat().resolvedAt());
        }
        return event;
    }

    /** Reads an event that {@link #validate} already accepted (the body of a delivery queue message). */
    public ThreatEvent read(String body) {
        try {
            return MAPPER.readValue(body, ThreatEvent.class);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("message body: " + e.getOriginalMessage());
        }
    }

    private static String text(Object body) {
        return bodyText(body, MAX_BYTES, "");
    }

    /**
     * A message body as text: a string, or UTF-8 bytes; at most {@code maxBytes} in UTF-8, else an
     * InvalidEventException that names the limit (and {@code limitNote} after it).
     */
    public static String bodyText(Object body, int maxBytes, String limitNote) {
        if (body instanceof String s) {
            // a UTF-8 byte is at most one char, a char at most three bytes: count bytes only when it matters
            if (s.length() > maxBytes || (s.length() * 3L > maxBytes && s.getBytes(StandardCharsets.UTF_8).length > maxBytes)) {
                throw tooLarge(s.getBytes(StandardCharsets.UTF_8).length, maxBytes, limitNote);
            }
            return s;
        }
        if (body instanceof byte[] bytes) {
            if (bytes.length > maxBytes) {
                throw tooLarge(bytes.length, maxBytes, limitNote);
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new InvalidEventException("message body: not valid UTF-8");
            }
        }
        throw new InvalidEventException("message body: expected a JSON text message, got "
                + (body == null ? "an empty message" : body.getClass().getSimpleName()));
    }

    private static InvalidEventException tooLarge(long bytes, int maxBytes, String limitNote) {
        return new InvalidEventException("message body: " + bytes + " bytes, more than the limit of " + maxBytes + limitNote);
    }

    private static JsonNode parse(String text) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(text);
        } catch (StreamConstraintsException e) {
            throw new InvalidEventException("message body: " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("message body: not valid JSON: " + firstLine(e.getOriginalMessage())
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr()));
        }
        if (!(tree instanceof ObjectNode)) {
            throw new InvalidEventException("message body: expected one JSON object, got "
                    + (tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().toString().toLowerCase()));
        }
        return tree;
    }

    private static String describe(List<Error> errors) {
        Error first = errors.stream().min(Comparator.comparing(EventValidator::field)).orElseThrow();
        String field = field(first);
        String reason = switch (String.valueOf(first.getKeyword())) {
            case "required" -> "required field is missing";
            case "enum" -> "'" + first.getInstanceNode().asText() + "' is not one of "
                    + first.getSchemaNode().toString().replaceAll("[\\[\\]\"]", "").replace(",", ", ");
            case "type" -> "expected " + first.getSchemaNode().toString().replaceAll("[\\[\\]\"]", "").replace(",", " or ")
                    + ", got " + first.getInstanceNode().getNodeType().toString().toLowerCase();
            // the one pattern of the schema: ids without control characters
            case "pattern" -> "contains a control character (U+0000-U+001F or U+007F-U+009F), which no id may hold";
            default -> stripLocation(first.getMessage());
        };
        return field + ": " + reason + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : "");
    }

    private static String field(Error error) {
        // the location is a JSON pointer (/threat/severity); operators read dotted paths
        String path = error.getInstanceLocation().toString().replaceFirst("^[$/]\\.?", "").replace('/', '.');
        if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
            path = path.isEmpty() ? error.getProperty() : path + "." + error.getProperty();
        }
        return path.isEmpty() ? "event" : path;
    }

    private static String stripLocation(String message) {
        int colon = message.indexOf(": ");
        return colon > 0 && (message.startsWith("$") || message.startsWith("/")) ? message.substring(colon + 2) : message;
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    private static void requireInstant(String field, String value) {
        if (isPlainUtcInstant(value)) {
            return;
        }
        try {
            Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidEventException(field + ": '" + abbreviate(value) + "' is not an ISO-8601 instant such as 2026-11-27T10:15:30Z");
        }
    }

    /**
     * Whether a value is an instant in the form vendors send, 2026-11-27T10:15:30Z, with or without a
     * fraction of up to nine digits, checked by hand: Instant.parse took about a fifth of the time
     * spent validating an event. Whatever this does not accept is left to Instant.parse.
     */
    static boolean isPlainUtcInstant(String value) {
        int length = value.length();
        if (length < 20 || length == 21 || length > 30 || value.charAt(length - 1) != 'Z' || value.charAt(4) != '-'
                || value.charAt(7) != '-' || value.charAt(10) != 'T' || value.charAt(13) != ':' || value.charAt(16) != ':'
                || (length > 20 && value.charAt(19) != '.')) {
            return false;
        }
        for (int i = 0; i < length - 1; i++) {
            char c = value.charAt(i);
            if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && i != 19 && (c < '0' || c > '9')) {
                return false;
            }
        }
        int month = number(value, 5, 7);
        int day = number(value, 8, 10);
        return month >= 1 && month <= 12 && day >= 1 && day <= YearMonth.of(number(value, 0, 4), month).lengthOfMonth()
                && number(value, 11, 13) <= 23 && number(value, 14, 16) <= 59 && number(value, 17, 19) <= 59;
    }

    private static int number(String digits, int from, int to) {
        int number = 0;
        for (int i = from; i < to; i++) {
            number = number * 10 + digits.charAt(i) - '0';
        }
        return number;
    }

    /** Reads the validated tree as it is (convertValue would write it out to a buffer and read that). */
    private static ThreatEvent treeToEvent(JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, ThreatEvent.class);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("message body: " + e.getOriginalMessage());
        }
    }

    static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
