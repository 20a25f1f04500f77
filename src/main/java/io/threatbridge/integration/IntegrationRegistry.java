package io.threatbridge.integration;

import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.MappedEvent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The integrations in force, looked up by console account (ingest) and by name (delivery). */
public class IntegrationRegistry {

    /** Without a setting: as many Sentinel integrations as one bridge carries by default. */
    public static final int DEFAULT_MAX_SENTINEL = 100;

    private final Path file;
    private final String defenderApiUrl;
    private final List<String> sentinelHosts;
    private final int maxSentinel;
    private volatile Snapshot snapshot;

    private record Snapshot(Map<String, Integration> byName, Map<String, List<Integration>> byAccount) {
        static Snapshot of(List<Integration> integrations) {
            Map<String, Integration> byName = new LinkedHashMap<>();
            Map<String, List<Integration>> byAccount = new HashMap<>();
            for (Integration integration : integrations) {
                byName.put(integration.name(), integration);
                for (String account : integration.accounts()) {
                    byAccount.computeIfAbsent(account, a -> new ArrayList<>()).add(integration);
                }
            }
            byAccount.replaceAll((account, list) -> List.copyOf(list));
            // byName keeps the file's order: all() lists the integrations as the file does (the console's page)
            return new Snapshot(java.util.Collections.unmodifiableMap(byName), Map.copyOf(byAccount));
        }
    }

    /** @param defenderApiUrl bridge.defender.api-url, for entries that name no apiUrl */
    public IntegrationRegistry(Path file, String defenderApiUrl) {
        this(file, defenderApiUrl, List.of(), DEFAULT_MAX_SENTINEL);
    }

    /**
     * @param defenderApiUrl bridge.defender.api-url, for entries that name no apiUrl
     * @param sentinelHosts  bridge.sentinel.allowed-hosts: ingestion hosts allowed besides Azure Monitor's
     * @param maxSentinel    bridge.sentinel.max-integrations: each enabled api: sentinel integration holds
     *                       a thread and a broker session of its own while it waits for a batch, so a file
     *                       with more is refused, at start and on reload, rather than let some of them stall
     */
    public IntegrationRegistry(Path file, String defenderApiUrl, List<String> sentinelHosts, int maxSentinel) {
        this.file = file;
        this.defenderApiUrl = defenderApiUrl;
        this.sentinelHosts = List.copyOf(sentinelHosts);
        this.maxSentinel = maxSentinel;
        this.snapshot = Snapshot.of(withinLimits(IntegrationsFile.load(file, defenderApiUrl, this.sentinelHosts)));
    }

    private List<Integration> withinLimits(List<Integration> integrations) {
        long sentinel = integrations.stream().filter(i -> i.enabled() && i.api() == Integration.Api.sentinel).count();
        if (sentinel > maxSentinel) {
            throw new IntegrationsFileException(file + ": " + sentinel + " enabled integrations with api: sentinel, more than "
                    + "bridge.sentinel.max-integrations (" + maxSentinel + "): each holds a thread and a broker session of its own; "
                    + "raise the setting (and the broker connection pool with it, docs/operations.md) or spread them over instances");
        }
        return integrations;
    }

    /**
     * The integrations of an event's account; or InvalidEventException naming it (in the vendor's
     * field name when the event was mapped from a vendor's record: mappedEvent, interface.md 4b).
     * A sender (the broker user the broker validated) that an integration of the account does not
     * list in its senders makes the whole event invalid, not only its copy for that one.
     */
    public List<Integration> forAccount(String accountId,
                                        MappedEvent mapped,
                                        String sender) {
        List<Integration> integrations = snapshot.byAccount().get(accountId);
        if (integrations == null) {
            InvalidEventException unknown = new InvalidEventException("accountId: '" + accountId
                    + "' is not an account of any integration in " + file);
            throw mapped == null ? unknown : mapped.explain(unknown);
        }
        for (Integration integration : integrations) {
            if (!integration.acceptsSender(sender)) {
                throw new InvalidEventException(sender == null
                        ? "sender: the broker named no sending user (populate-validated-user is off?); integration "
                        + integration.name() + " takes events for account '" + accountId + "' only from its senders"
                        : "sender: broker user '" + sender + "' may not send events for account '" + accountId
                        + "' (not among the senders of integration " + integration.name() + ")");
            }
        }
        return integrations;
    }

    /** The integration of that name in force, or null. */
    public Integration find(String name) {
        return snapshot.byName().get(name);
    }

    public Integration byName(String name) {
        Integration integration = snapshot.byName().get(name);
        if (integration == null) {
            throw new IllegalStateException("integration '" + name + "' is no longer in " + file);
        }
        return integration;
    }

    /**
     * Reads the file again. A file with any error is refused whole and the integrations in force
     * stay (the exception says why); otherwise the new ones take over and are returned.
     */
    public List<Integration> reload() {
        List<Integration> fresh = withinLimits(IntegrationsFile.load(file, defenderApiUrl, sentinelHosts));
        snapshot = Snapshot.of(fresh);
        return fresh;
    }

    public Path file() {
        return file;
    }

    /** The ingestion hosts the file is checked with besides Azure Monitor's (bridge.sentinel.allowed-hosts). */
    public List<String> sentinelHosts() {
        return sentinelHosts;
    }

    public List<Integration> all() {
        return List.copyOf(snapshot.byName().values());
    }
}
