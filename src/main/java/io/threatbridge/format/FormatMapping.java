package io.threatbridge.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.threatbridge.event.Category;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.Severity;
import io.threatbridge.event.ThreatStatus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One vendor format, as its mapping file in the formats folder says (README, "Vendor formats"):
 * which records it takes, how it tells a resolve from a threat, and where each field of the
 * bridge's event (interface.md section 4) comes from. Maps one record to the event's tree.
 */
public final class FormatMapping {

    /** The event fields a mapping may fill; threat.status comes from the `status:` rule. */
    static final Set<String> TARGETS = new LinkedHashSet<>(List.of("eventId", "accountId", "threat.id", "threat.name",
            "threat.type", "threat.category", "threat.severity", "threat.detectedAt", "threat.resolvedAt",
            "threat.recommendedAction", "device.id", "device.defenderMachineId", "device.name", "device.model", "device.os",
            "device.osVersion", "device.managed", "device.mdmVendor", "user.name", "user.email"));
    private static final Set<String> TOP_KEYS = Set.of("format", "description", "accept", "status", "fields", "forensics");
    private static final Set<String> RULE_KEYS = Set.of("from", "function", "map", "default", "template", "value", "when");
    private static final Pattern TEMPLATE_VARIABLE = Pattern.compile("\\{([^{}]+)}");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final String name;
    private final List<Accept> accepts;
    private final List<Condition> resolvedWhen;
    private final Rule statusRule;
    private final Map<String, Rule> fields;
    private final Map<String, Rule> forensicFields;
    private final boolean restToForensics;
    private final Set<String> consumed;
    private final Map<String, String> vendorFields;

    /** A record is taken only when its field holds one of these values. */
    private record Accept(String field, Set<String> values) {
    }

    /** Holds when the record's field equals one of the values, or (present) has a value at all, even an empty one. */
    private record Condition(String field, Set<String> equals, boolean present) {
        boolean holds(JsonNode record) {
            JsonNode value = resolve(record, field);
            if (present) {
                return value != null && !value.isNull() && !value.isMissingNode();
            }
            return value != null && value.isValueNode() && !value.isNull() && equals.contains(value.asText());
        }
    }

    /** Where one event field comes from. */
    private record Rule(String target, List<String> from, FormatFunctions.Function function, Map<String, String> map,
                        String defaultValue, String template, JsonNode value, ThreatStatus when) {

        String vendorField() {
            if (template != null) {
                List<String> variables = new ArrayList<>();
                Matcher matcher = TEMPLATE_VARIABLE.matcher(template);
                while (matcher.find()) {
                    if (!"status".equals(matcher.group(1))) {
                        variables.add(matcher.group(1).replace("|", " / "));
                    }
                }
                return String.join(" / ", variables);
            }
            return from.isEmpty() ? "(constant)" : String.join(" / ", from);
        }

        JsonNode apply(JsonNode record, ThreatStatus status, ObjectNode forensics) {
            if (when != null && when != status) {
                return null;
            }
            if (value != null) {
                return value;
            }
            if (template != null) {
                return fill(record, status);
            }
            List<JsonNode> values = new ArrayList<>(from.size());
            for (String path : from) {
                values.add(resolve(record, path));
            }
            JsonNode result = function.apply(values, vendorField());
            if (result == null || map == null) {
                return result;
            }
            String key = result.asText();
            String mapped = map.get(key);
            if (mapped == null) {
                if (defaultValue == null) {
                    throw new InvalidEventException(vendorField() + ": '" + FormatFunctions.abbreviate(key) + "' is not one of "
                            + String.join(", ", map.keySet()) + " (" + target + ")");
                }
                // an unknown value is kept where an analyst sees it
                forensics.set(from.get(0), result);
                mapped = defaultValue;
            }
            return TextNode.valueOf(mapped);
        }

        private JsonNode fill(JsonNode record, ThreatStatus status) {
            Matcher matcher = TEMPLATE_VARIABLE.matcher(template);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String variable = matcher.group(1);
                String text;
                if ("status".equals(variable)) {
                    text = status.name().toLowerCase(Locale.ROOT);
                } else {
                    // {a|b}: a, else b
                    JsonNode value = null;
                    for (String path : variable.split("\\|")) {
                        value = resolve(record, path);
                        if (FormatFunctions.isThere(value)) {
                            break;
                        }
                    }
                    if (!FormatFunctions.isThere(value) || !value.isValueNode()) {
                        return null;
                    }
                    text = value.asText();
                }
                matcher.appendReplacement(out, Matcher.quoteReplacement(text));
            }
            matcher.appendTail(out);
            return TextNode.valueOf(out.toString());
        }
    }

    private FormatMapping(String name, List<Accept> accepts, List<Condition> resolvedWhen, Rule statusRule,
                          Map<String, Rule> fields, Map<String, Rule> forensicFields, boolean restToForensics) {
        this.name = name;
        this.accepts = accepts;
        this.resolvedWhen = resolvedWhen;
        this.statusRule = statusRule;
        this.fields = fields;
        this.forensicFields = forensicFields;
        this.restToForensics = restToForensics;
        Set<String> used = new HashSet<>();
        accepts.forEach(accept -> used.add(accept.field()));
        List<Rule> all = new ArrayList<>(fields.values());
        all.addAll(forensicFields.values());
        if (statusRule != null) {
            all.add(statusRule);
        }
        for (Rule rule : all) {
            used.addAll(rule.from());
            if (rule.template() != null) {
                Matcher matcher = TEMPLATE_VARIABLE.matcher(rule.template());
                while (matcher.find()) {
                    used.addAll(List.of(matcher.group(1).split("\\|")));
                }
            }
        }
        this.consumed = Set.copyOf(used);
        Map<String, String> vendor = new LinkedHashMap<>();
        fields.forEach((target, rule) -> vendor.put(target, rule.vendorField()));
        vendor.put("threat.status", statusRule != null ? statusRule.vendorField()
                : resolvedWhen.stream().map(Condition::field).collect(Collectors.joining(" / ")));
        this.vendorFields = Map.copyOf(vendor);
    }

    public String name() {
        return name;
    }

    /** Event field to the vendor's field(s) it comes from, for errors. */
    public Map<String, String> vendorFields() {
        return vendorFields;
    }

    /**
     * The event made from one record, as a tree, not yet validated (the schema does that, as for any
     * event); or InvalidEventException naming the vendor's field, for a record the mapping refuses.
     */
    public ObjectNode map(JsonNode record) {
        if (!record.isObject()) {
            throw new InvalidEventException("expected a JSON object, got " + record.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        for (Accept accept : accepts) {
            JsonNode value = resolve(record, accept.field());
            if (value == null || !value.isValueNode() || !accept.values().contains(value.asText())) {
                throw new InvalidEventException(accept.field() + ": " + (value == null || value.isNull() ? "missing"
                        : "'" + FormatFunctions.abbreviate(value.asText()) + "'") + ", the " + name + " format takes only "
                        + String.join(", ", accept.values()));
            }
        }
        ObjectNode forensics = NODES.objectNode();
        ThreatStatus status = status(record, forensics);
        ObjectNode event = NODES.objectNode();
        ObjectNode threat = NODES.objectNode();
        ObjectNode device = NODES.objectNode();
        ObjectNode user = NODES.objectNode();
        for (Rule rule : fields.values()) {
            JsonNode value = rule.apply(record, status, forensics);
            if (value == null) {
                continue;
            }
            String target = rule.target();
            // every event field but device.managed is text: a vendor's number (an id, a version) is taken as its text
            if (value.isValueNode() && !value.isTextual() && !"device.managed".equals(target)) {
                value = TextNode.valueOf(value.asText());
            }
            int dot = target.indexOf('.');
            if (dot < 0) {
                event.set(target, value);
            } else {
                String part = target.substring(0, dot);
                ObjectNode parent = "threat".equals(part) ? threat : "device".equals(part) ? device : user;
                parent.set(target.substring(dot + 1), value);
            }
        }
        threat.put("status", status.name());
        event.set("threat", threat);
        event.set("device", device);
        if (!user.isEmpty()) {
            event.set("user", user);
        }
        if (restToForensics) {
            addScalars(record, "", forensics);
        }
        for (Map.Entry<String, Rule> entry : forensicFields.entrySet()) {
            JsonNode value = entry.getValue().apply(record, status, forensics);
            if (value != null) {
                forensics.set(entry.getKey(), value);
            }
        }
        if (!forensics.isEmpty()) {
            event.set("forensics", forensics);
        }
        return event;
    }

    private ThreatStatus status(JsonNode record, ObjectNode forensics) {
        if (statusRule != null) {
            JsonNode value = statusRule.apply(record, ThreatStatus.ACTIVE, forensics);
            return value == null ? ThreatStatus.ACTIVE : ThreatStatus.valueOf(value.asText());
        }
        for (Condition condition : resolvedWhen) {
            if (condition.holds(record)) {
                return ThreatStatus.RESOLVED;
            }
        }
        return ThreatStatus.ACTIVE;
    }

    /** Every scalar of the record with a value that no rule used, under its dotted path. */
    private void addScalars(JsonNode node, String prefix, ObjectNode forensics) {
        Iterator<Map.Entry<String, JsonNode>> fieldsOfNode = node.fields();
        while (fieldsOfNode.hasNext()) {
            Map.Entry<String, JsonNode> field = fieldsOfNode.next();
            String path = prefix + field.getKey();
            JsonNode value = field.getValue();
            if (value.isObject()) {
                addScalars(value, path + ".", forensics);
            } else if (value.isValueNode() && !value.isNull() && !consumed.contains(path) && !forensics.has(path)) {
                forensics.set(path, value);
            }
        }
    }

    /** The value at a dotted path (event.device.os), or null. */
    static JsonNode resolve(JsonNode record, String path) {
        JsonNode node = record;
        int start = 0;
        while (node != null) {
            int dot = path.indexOf('.', start);
            node = node.get(dot < 0 ? path.substring(start) : path.substring(start, dot));
            if (dot < 0) {
                return node;
            }
            start = dot + 1;
        }
        return null;
    }

    // ---- reading a mapping file ----

    /** Reads one mapping file's tree; every problem names the file and the key. */
    static FormatMapping parse(String file, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new FormatFileException(file + ": expected a mapping with 'format:' and 'fields:'");
        }
        unknownKeys(file, "", root, TOP_KEYS);
        String name = root.path("format").asText("");
        if (!name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw new FormatFileException(file + ": format: expected a name of 1-64 of [a-z0-9._-], the value of bridgeFormat");
        }
        List<Accept> accepts = new ArrayList<>();
        for (JsonNode accept : root.path("accept")) {
            unknownKeys(file, "accept", accept, Set.of("field", "equals"));
            accepts.add(new Accept(required(file, "accept.field", accept.path("field")), Set.copyOf(strings(accept.path("equals")))));
        }
        List<Condition> resolvedWhen = new ArrayList<>();
        Rule statusRule = null;
        JsonNode status = root.path("status");
        if (status.has("resolvedWhen")) {
            unknownKeys(file, "status", status, Set.of("resolvedWhen"));
            for (JsonNode condition : status.get("resolvedWhen")) {
                unknownKeys(file, "status.resolvedWhen", condition, Set.of("field", "equals", "present"));
                resolvedWhen.add(new Condition(required(file, "status.resolvedWhen.field", condition.path("field")),
                        Set.copyOf(strings(condition.path("equals"))), condition.path("present").asBoolean(false)));
            }
        } else if (status.isObject()) {
            statusRule = rule(file, "status", "threat.status", status);
            checkValues(file, "status", statusRule, Arrays.stream(ThreatStatus.values()).map(Enum::name).toList());
        }
        Map<String, Rule> fields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> entries = root.path("fields").fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            if (!TARGETS.contains(entry.getKey())) {
                throw new FormatFileException(file + ": fields." + entry.getKey() + ": not an event field; one of "
                        + String.join(", ", TARGETS) + " (threat.status comes from 'status:')");
            }
            fields.put(entry.getKey(), rule(file, "fields." + entry.getKey(), entry.getKey(), entry.getValue()));
        }
        for (String required : List.of("eventId", "accountId", "threat.id", "threat.severity", "threat.detectedAt", "device.id")) {
            if (!fields.containsKey(required)) {
                throw new FormatFileException(file + ": fields." + required + ": missing; every event needs it");
            }
        }
        checkValues(file, "fields.threat.severity", fields.get("threat.severity"),
                Arrays.stream(Severity.values()).map(Enum::name).toList());
        if (fields.containsKey("threat.category")) {
            checkValues(file, "fields.threat.category", fields.get("threat.category"),
                    Arrays.stream(Category.values()).map(Enum::name).toList());
        }
        JsonNode forensics = root.path("forensics");
        unknownKeys(file, "forensics", forensics, Set.of("rest", "fields"));
        Map<String, Rule> forensicFields = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> extra = forensics.path("fields").fields();
        while (extra.hasNext()) {
            Map.Entry<String, JsonNode> entry = extra.next();
            forensicFields.put(entry.getKey(), rule(file, "forensics.fields." + entry.getKey(), "forensics." + entry.getKey(), entry.getValue()));
        }
        return new FormatMapping(name, List.copyOf(accepts), List.copyOf(resolvedWhen), statusRule, fields, forensicFields,
                forensics.path("rest").asBoolean(false));
    }

    /** A rule is a path, a list of paths (the first with a value), or a mapping of from/function/map/default/template/value/when. */
    private static Rule rule(String file, String key, String target, JsonNode spec) {
        if (spec.isTextual() || spec.isArray()) {
            return new Rule(target, paths(file, key, spec), FormatFunctions.ALL.get("first"), null, null, null, null, null);
        }
        if (!spec.isObject()) {
            throw new FormatFileException(file + ": " + key + ": expected a field path, a list of paths or a mapping");
        }
        unknownKeys(file, key, spec, RULE_KEYS);
        String functionName = spec.path("function").asText("first");
        FormatFunctions.Function function = FormatFunctions.ALL.get(functionName);
        if (function == null) {
            throw new FormatFileException(file + ": " + key + ".function: '" + functionName + "' is not one of "
                    + String.join(", ", new java.util.TreeSet<>(FormatFunctions.ALL.keySet())));
        }
        Map<String, String> map = null;
        if (spec.has("map")) {
            map = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> entries = spec.get("map").fields();
            while (entries.hasNext()) {
                Map.Entry<String, JsonNode> entry = entries.next();
                map.put(entry.getKey(), entry.getValue().asText());
            }
        }
        String defaultValue = spec.has("default") ? spec.get("default").asText() : null;
        if (defaultValue != null && map == null) {
            throw new FormatFileException(file + ": " + key + ".default: only with 'map:'");
        }
        String template = spec.has("template") ? spec.get("template").asText() : null;
        JsonNode value = spec.get("value");
        List<String> from = spec.has("from") ? paths(file, key + ".from", spec.get("from")) : List.of();
        if (from.isEmpty() && template == null && value == null) {
            throw new FormatFileException(file + ": " + key + ": needs 'from:', 'template:' or 'value:'");
        }
        ThreatStatus when = null;
        if (spec.has("when")) {
            try {
                when = ThreatStatus.valueOf(spec.get("when").asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new FormatFileException(file + ": " + key + ".when: expected active or resolved");
            }
        }
        return new Rule(target, from, function, map == null ? null : java.util.Collections.unmodifiableMap(map), defaultValue, template, value, when);
    }

    private static void checkValues(String file, String key, Rule rule, List<String> allowed) {
        if (rule.map() != null) {
            for (Map.Entry<String, String> entry : rule.map().entrySet()) {
                if (!allowed.contains(entry.getValue())) {
                    throw new FormatFileException(file + ": " + key + ".map." + entry.getKey() + ": '" + entry.getValue()
                            + "' is not one of " + String.join(", ", allowed));
                }
            }
            if (rule.defaultValue() != null && !allowed.contains(rule.defaultValue())) {
                throw new FormatFileException(file + ": " + key + ".default: '" + rule.defaultValue() + "' is not one of "
                        + String.join(", ", allowed));
            }
        } else if (rule.value() == null) {
            throw new FormatFileException(file + ": " + key + ": needs a 'map:' to " + String.join(", ", allowed)
                    + " (a vendor's value is never passed through unchecked)");
        }
    }

    private static List<String> paths(String file, String key, JsonNode spec) {
        List<String> paths = spec.isArray() ? strings(spec) : List.of(spec.asText());
        if (paths.isEmpty() || paths.stream().anyMatch(String::isBlank)) {
            throw new FormatFileException(file + ": " + key + ": expected a field path or a list of them");
        }
        return paths;
    }

    private static List<String> strings(JsonNode list) {
        List<String> values = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(item -> values.add(item.asText()));
        } else if (!list.isMissingNode() && !list.isNull()) {
            values.add(list.asText());
        }
        return values;
    }

    private static String required(String file, String key, JsonNode value) {
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new FormatFileException(file + ": " + key + ": required");
        }
        return value.asText();
    }

    private static void unknownKeys(String file, String key, JsonNode node, Set<String> known) {
        if (node.isMissingNode()) {
            return;
        }
        if (!node.isObject()) {
            throw new FormatFileException(file + ": " + (key.isEmpty() ? "" : key + ": ") + "expected a mapping");
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field)) {
                throw new FormatFileException(file + ": " + (key.isEmpty() ? "" : key + ".") + field
                        + ": unknown key; known: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        });
    }
}
