package io.threatbridge.integration;

import io.threatbridge.event.InvalidEventException;
import org.apache.camel.ExchangeProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The integrations in force, looked up by console account (ingest) and by name (delivery). */
public class IntegrationRegistry {

    private final Path file;
    private final String defenderApiUrl;
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
        this.file = file;
        this.defenderApiUrl = defenderApiUrl;
        this.snapshot = Snapshot.of(IntegrationsFile.load(file, defenderApiUrl));
    }

    /** The integrations an account's events go to; an account none of them serves makes the event invalid. */
    public List<Integration> forAccount(@ExchangeProperty("accountId") String accountId) {
        List<Integration> integrations = snapshot.byAccount().get(accountId);
        if (integrations == null) {
            throw new InvalidEventException("accountId: '" + accountId + "' is not an account of any integration in " + file);
        }
        return integrations;
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
        List<Integration> fresh = IntegrationsFile.load(file, defenderApiUrl);
        snapshot = Snapshot.of(fresh);
        return fresh;
    }

    public Path file() {
        return file;
    }

    public List<Integration> all() {
        return List.copyOf(snapshot.byName().values());
    }
}
