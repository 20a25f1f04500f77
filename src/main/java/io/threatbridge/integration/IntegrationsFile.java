package io.threatbridge.integration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and checks the integrations file (interface.md section 3). Every problem is reported with
 * the file and the entry it is in, and a file with any problem is refused whole.
 */
public final class IntegrationsFile {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]{1,253}");
    private static final Set<String> KEYS = Set.of("name", "tenantId", "accounts", "filterLevel", "apiUrl", "api", "enabled");

    private IntegrationsFile() {
    }

    /** @param defenderApiUrl bridge.defender.api-url, for entries that name no apiUrl */
    public static List<Integration> load(Path file, String defenderApiUrl) {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IntegrationsFileException(file + ": file not found");
        } catch (IOException e) {
            throw new IntegrationsFileException(file + ": not readable YAML: " + e.getMessage(), e);
        }
        return parse(file, content, defenderApiUrl);
    }

    /**
     * Checks a content meant for the file as {@link #load} checks the file: the same errors, naming
     * {@code file}, so an edit can be refused before it is written.
     */
    public static List<Integration> parse(Path file, String content, String defenderApiUrl) {
        JsonNode root;
        try {
            root = YAML.readTree(content);
        } catch (IOException e) {
            throw new IntegrationsFileException(file + ": not readable YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject() || !root.path("integrations").isArray()) {
            throw new IntegrationsFileException(file + ": expected a top-level 'integrations:' list");
        }
        List<Integration> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode entry : root.get("integrations")) {
            Integration integration = parseEntry(file, index++, entry, defenderApiUrl);
            if (!names.add(integration.name())) {
                throw new IntegrationsFileException(where(file, index - 1, integration.name()) + "name is used by an earlier entry");
            }
            result.add(integration);
        }
        return List.copyOf(result);
    }

    /** Whether the text is a tenant id as an entry's tenantId must be: a GUID or a domain name. */
    public static boolean isTenantId(String tenantId) {
        return tenantId != null && TENANT.matcher(tenantId).matches();
    }

    private static Integration parseEntry(Path file, int index, JsonNode entry, String defenderApiUrl) {
        if (!entry.isObject()) {
            throw new IntegrationsFileException(where(file, index, null) + "expected a mapping with name, tenantId, accounts");
        }
        String name = text(entry, "name");
        String at = where(file, index, name);
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IntegrationsFileException(at + "unknown key '" + key + "' (known: " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IntegrationsFileException(at + "name must be 1-64 of [A-Za-z0-9._-]");
        }
        String tenantId = text(entry, "tenantId");
        if (tenantId == null || tenantId.isBlank()) {
            throw new IntegrationsFileException(at + "tenantId is missing");
        }
        if (!TENANT.matcher(tenantId).matches()) {
            throw new IntegrationsFileException(at + "tenantId '" + tenantId + "' is neither a tenant GUID nor a domain name");
        }
        JsonNode accountsNode = entry.get("accounts");
        if (accountsNode == null || !accountsNode.isArray() || accountsNode.isEmpty()) {
            throw new IntegrationsFileException(at + "accounts must be a non-empty list of console account ids");
        }
        List<String> accounts = new ArrayList<>();
        for (JsonNode account : accountsNode) {
            if (!account.isTextual() && !account.isNumber() || account.asText().isBlank()) {
                throw new IntegrationsFileException(at + "accounts holds an entry that is not an account id: " + account);
            }
            accounts.add(account.asText());
        }
        FilterLevel filterLevel = enumValue(at, "filterLevel", text(entry, "filterLevel"), FilterLevel.class, FilterLevel.CRITICAL);
        Integration.Api api = enumValue(at, "api", text(entry, "api"), Integration.Api.class, Integration.Api.auto);
        String apiUrl = text(entry, "apiUrl");
        if (apiUrl != null) {
            checkHttps(at, apiUrl);
        }
        JsonNode enabled = entry.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            throw new IntegrationsFileException(at + "enabled must be true or false, not " + enabled);
        }
        return new Integration(name, tenantId, List.copyOf(accounts), filterLevel,
                trimSlash(apiUrl != null ? apiUrl : defenderApiUrl), api, enabled == null || enabled.booleanValue());
    }

    private static <E extends Enum<E>> E enumValue(String at, String key, String value, Class<E> type, E fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IntegrationsFileException(at + key + " '" + value + "' is not one of "
                    + Arrays.stream(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", ")));
        }
    }

    private static void checkHttps(String at, String url) {
        try {
            URI uri = URI.create(url);
            if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IntegrationsFileException(at + "apiUrl '" + url + "' is not an https URL");
    }

    private static String text(JsonNode entry, String key) {
        JsonNode value = entry.get(key);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static String trimSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static String where(Path file, int index, String name) {
        return file + ": integrations[" + index + "]" + (name == null ? "" : " (" + name + ")") + ": ";
    }
}
