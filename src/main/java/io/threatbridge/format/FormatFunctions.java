package io.threatbridge.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.event.InvalidEventException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The named functions a mapping file may use (`function:`), for what a mapping cannot say by
 * itself. Each is given the values of the field's `from` paths, in order (null where the record has
 * no value), and the vendor's field name for its errors; it returns the event field's value, or null.
 */
final class FormatFunctions {

    interface Function {
        JsonNode apply(List<JsonNode> values, String vendorField);
    }

    static final Map<String, Function> ALL = Map.of(
            "first", (values, field) -> first(values),
            "epochMillisToInstant", FormatFunctions::epochMillisToInstant,
            "upperCase", (values, field) -> text(first(values), s -> s.toUpperCase(Locale.ROOT)),
            "joinNames", (values, field) -> join(values, " "),
            "joinCommas", FormatFunctions::joinCommas,
            "isSet", (values, field) -> BooleanNode.valueOf(first(values) != null),
            "firstWord", (values, field) -> text(first(values), s -> s.strip().split("\\s+", 2)[0]),
            "afterFirstWord", (values, field) -> text(first(values), s -> {
                String[] words = s.strip().split("\\s+", 2);
                return words.length < 2 ? null : words[1];
            }));

    private FormatFunctions() {
    }

    /** The first value that is there: not missing, not null, not an empty string. */
    static JsonNode first(List<JsonNode> values) {
        for (JsonNode value : values) {
            if (isThere(value)) {
                return value;
            }
        }
        return null;
    }

    static boolean isThere(JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode() && !(value.isTextual() && value.asText().isBlank());
    }

    private static JsonNode text(JsonNode value, java.util.function.Function<String, String> change) {
        if (value == null || !value.isValueNode()) {
            return null;
        }
        String changed = change.apply(value.asText());
        return changed == null ? null : TextNode.valueOf(changed);
    }

    private static JsonNode epochMillisToInstant(List<JsonNode> values, String field) {
        JsonNode value = first(values);
        if (value == null) {
            return null;
        }
        long millis;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            millis = value.asLong();
        } else if (value.isTextual() && value.asText().matches("-?\\d{1,18}")) {
            millis = Long.parseLong(value.asText());
        } else {
            throw new InvalidEventException(field + ": '" + abbreviate(value.asText()) + "' is not a time in epoch milliseconds");
        }
        if (millis < 0 || millis > 253402300799999L) {
            throw new InvalidEventException(field + ": " + millis + " is not a time in epoch milliseconds between 1970 and 9999");
        }
        return TextNode.valueOf(Instant.ofEpochMilli(millis).toString());
    }

    private static JsonNode join(List<JsonNode> values, String separator) {
        List<String> parts = new ArrayList<>();
        for (JsonNode value : values) {
            if (isThere(value) && value.isValueNode()) {
                parts.add(value.asText().strip());
            }
        }
        return parts.isEmpty() ? null : TextNode.valueOf(String.join(separator, parts));
    }

    private static JsonNode joinCommas(List<JsonNode> values, String field) {
        JsonNode value = first(values);
        if (value == null) {
            return null;
        }
        if (value.isArray()) {
            List<JsonNode> items = new ArrayList<>();
            value.forEach(items::add);
            return join(items, ", ");
        }
        return value.isValueNode() ? TextNode.valueOf(value.asText()) : null;
    }

    static String abbreviate(String value) {
        return value.length() <= 64 ? value : value.substring(0, 61) + "...";
    }
}
