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
    private static final Set<String> KEYS = Set.of("name", "tenantId", "accounts", "filterLevel", "apiUrl", "api", "enabled",
            "senders", "sentinel");
    private static final Set<String> SENTINEL_KEYS = Set.of("ingestionUrl", "dcrImmutableId", "stream");
    /** A data collection rule's immutable id as Azure shows it: dcr- and 32 hexadecimal digits. */
    private static final Pattern DCR_ID = Pattern.compile("dcr-[0-9a-fA-F]{32}");
    /**
     * A custom stream a data collection rule declares: Custom- and the name, of letters, digits and
     * underscores (the characters Log Analytics allows in a custom table's name); it goes in the
     * URL path, so nothing else may pass.
     */
    private static final Pattern STREAM = Pattern.compile("Custom-[A-Za-z0-9_]{1,249}");

    private IntegrationsFile() {
    }

    /** @param defenderApiUrl bridge.defender.api-url, for entries that name no apiUrl */
    public static List<Integration> load(Path file, String defenderApiUrl) {
        return load(file, defenderApiUrl, List.of());
    }

    /**
     * @param defenderApiUrl bridge.defender.api-url, for entries that name no apiUrl
     * @param sentinelHosts  bridge.sentinel.allowed-hosts: hosts a sentinel.ingestionUrl may name
     *                       besides Azure Monitor's ingestion domains
     */
    public static List<Integration> load(Path file, String defenderApiUrl, List<String> sentinelHosts) {
        String content;
        try {
            content = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IntegrationsFileException(file + ": file not found");
        } catch (IOException e) {
            throw new IntegrationsFileException(file + ": not readable YAML: " + e.getMessage(), e);
        }
        return parse(file, content, defenderApiUrl, sentinelHosts);
    }

    /**
     * Checks a content meant for the file as {@link #load} checks the file: the same errors, naming
     * {@code file}, so an edit can be refused before it is written.
     */
    public static List<Integration> parse(Path file, String content, String defenderApiUrl) {
        return parse(file, content, defenderApiUrl, List.of());
    }

    /** As {@link #parse(Path, String, String)}, with the hosts of bridge.sentinel.allowed-hosts. */
    public static List<Integration> parse(Path file, String content, String defenderApiUrl, List<String> sentinelHosts) {
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
            Integration integration = parseEntry(file, index++, entry, defenderApiUrl, sentinelHosts);
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

    private static Integration parseEntry(Path file, int index, JsonNode entry, String defenderApiUrl, List<String> sentinelHosts) {
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
            checkHttps(at, "apiUrl", apiUrl);
            if (api != Integration.Api.sentinel) {
                checkApiHost(at, apiUrl, defenderApiUrl);
            }
        }
        JsonNode enabled = entry.get("enabled");
        if (enabled != null && !enabled.isBoolean()) {
            throw new IntegrationsFileException(at + "enabled must be true or false, not " + enabled);
        }
        Integration.Sentinel sentinel = null;
        if (api == Integration.Api.sentinel) {
            if (apiUrl != null) {
                throw new IntegrationsFileException(at + "apiUrl does not apply to api: sentinel (its URL is sentinel.ingestionUrl)");
            }
            sentinel = sentinel(at, entry.get("sentinel"), sentinelHosts);
            apiUrl = sentinel.ingestionUrl();
        } else if (entry.has("sentinel")) {
            throw new IntegrationsFileException(at + "sentinel applies only to api: sentinel (api is " + api + ")");
        }
        return new Integration(name, tenantId, List.copyOf(accounts), filterLevel,
                trimSlash(apiUrl != null ? apiUrl : defenderApiUrl), api, enabled == null || enabled.booleanValue(),
                senders(at, entry.get("senders")), sentinel);
    }

    /** The broker users that may send the entry's accounts' events; empty when the entry names none. */
    private static List<String> senders(String at, JsonNode senders) {
        if (senders == null) {
            return List.of();
        }
        if (!senders.isArray() || senders.isEmpty()) {
            throw new IntegrationsFileException(at + "senders must be a non-empty list of broker user names");
        }
        List<String> users = new ArrayList<>();
        for (JsonNode user : senders) {
            if (!user.isTextual() || user.asText().isBlank()) {
                throw new IntegrationsFileException(at + "senders holds an entry that is not a broker user name: " + user);
            }
            users.add(user.asText());
        }
        return List.copyOf(users);
    }

    /** The sentinel block of an api: sentinel entry (interface.md section 5d), every field checked. */
    private static Integration.Sentinel sentinel(String at, JsonNode block, List<String> allowedHosts) {
        if (block == null || !block.isObject()) {
            throw new IntegrationsFileException(at + "api: sentinel needs a sentinel mapping with ingestionUrl, dcrImmutableId and stream");
        }
        for (Iterator<String> it = block.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!SENTINEL_KEYS.contains(key)) {
                throw new IntegrationsFileException(at + "unknown key 'sentinel." + key + "' (known: dcrImmutableId, ingestionUrl, stream)");
            }
        }
        String url = text(block, "ingestionUrl");
        if (url == null) {
            throw new IntegrationsFileException(at + "sentinel.ingestionUrl is missing");
        }
        checkHttps(at, "sentinel.ingestionUrl", url);
        if (URI.create(url).getRawQuery() != null || URI.create(url).getRawFragment() != null) {
            throw new IntegrationsFileException(at + "sentinel.ingestionUrl '" + url + "' must not carry a query or a fragment");
        }
        List<String> ingestionHosts = new ArrayList<>(AZURE_INGESTION_DOMAINS);
        ingestionHosts.addAll(allowedHosts);
        checkHost(at, "sentinel.ingestionUrl", url, ingestionHosts, "an Azure Monitor logs ingestion host",
                "; bridge.sentinel.allowed-hosts adds others");
        String dcr = text(block, "dcrImmutableId");
        if (dcr == null || !DCR_ID.matcher(dcr).matches()) {
            throw new IntegrationsFileException(at + "sentinel.dcrImmutableId " + (dcr == null ? "is missing"
                    : "'" + dcr + "' is not a data collection rule's immutable id (dcr- and 32 hexadecimal digits)"));
        }
        String stream = text(block, "stream");
        if (stream == null || !STREAM.matcher(stream).matches()) {
            throw new IntegrationsFileException(at + "sentinel.stream " + (stream == null ? "is missing"
                    : "'" + stream + "' is not a custom stream name (Custom- and letters, digits or underscores, e.g. Custom-MobileThreats_CL)"));
        }
        return new Integration.Sentinel(trimSlash(url), dcr, stream);
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

    /** Microsoft's API domains (commercial, GCC High and DoD); the configured API URLs' hosts add to them. */
    static final List<String> MICROSOFT_DOMAINS = List.of("microsoft.com", "microsoft.us");

    /**
     * Where Azure Monitor's Logs Ingestion API answers (interface.md 5d): a data collection
     * endpoint's or a rule's own logs ingestion endpoint, {@code <name>-<suffix>.<region>-1.ingest.monitor.azure.com},
     * in the commercial cloud, Azure Government (.us) and Azure operated by 21Vianet (.cn).
     */
    static final List<String> AZURE_INGESTION_DOMAINS = List.of("ingest.monitor.azure.com", "ingest.monitor.azure.us",
            "ingest.monitor.azure.cn");

    /** The host names of bridge.sentinel.allowed-hosts: comma-separated, blanks ignored. */
    public static List<String> hostList(String setting) {
        if (setting == null) {
            return List.of();
        }
        return Arrays.stream(setting.split(",")).map(String::strip).filter(host -> !host.isEmpty())
                .map(host -> host.toLowerCase(java.util.Locale.ROOT)).toList();
    }

    /**
     * An apiUrl receives the tenant's bearer token, and the file is read again while the bridge
     * runs: its host must be one of Microsoft's API domains (or below one), or the host of
     * bridge.defender.api-url, which the operator set at start.
     */
    private static void checkApiHost(String at, String url, String defenderApiUrl) {
        List<String> allowed = new ArrayList<>(MICROSOFT_DOMAINS);
        try {
            String configuredHost = defenderApiUrl == null ? null : URI.create(defenderApiUrl).getHost();
            if (configuredHost != null) {
                allowed.add(configuredHost.toLowerCase(java.util.Locale.ROOT));
            }
        } catch (IllegalArgumentException ignored) {
            // not a URL: it allows nothing
        }
        checkHost(at, "apiUrl", url, allowed, "a Microsoft API host", "");
    }

    /** The url's host must be one of {@code allowed} or below one: the tenant's token goes there. */
    private static void checkHost(String at, String field, String url, List<String> allowed, String what, String hint) {
        String host = URI.create(url).getHost().toLowerCase(java.util.Locale.ROOT);
        for (String domain : allowed) {
            if (host.equals(domain) || host.endsWith("." + domain)) {
                return;
            }
        }
        throw new IntegrationsFileException(at + field + " '" + url + "' is not " + what + " (" + String.join(", ", allowed)
                + ", or below one" + hint + "): the tenant's token would go there");
    }

    private static void checkHttps(String at, String key, String url) {
        try {
            URI uri = URI.create(url);
            if ("https".equals(uri.getScheme()) && uri.getHost() != null) {
                return;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new IntegrationsFileException(at + key + " '" + url + "' is not an https URL");
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
