package io.threatbridge;

import com.fasterxml.jackson.databind.JsonNode;
import io.threatbridge.event.Severity;
import io.threatbridge.integration.FilterLevel;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every filter level against every severity, through the real routes and broker (interface.md section 3). */
class FilterLevelRoutingTest {

    @TempDir
    static Path dir;
    static BridgeHarness bridge;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder yaml = new StringBuilder("integrations:\n");
        for (FilterLevel level : FilterLevel.values()) {
            yaml.append("  - name: level-").append(level.name().toLowerCase()).append('\n')
                    .append("    tenantId: 11111111-2222-3333-4444-55555555555").append(level.ordinal()).append('\n')
                    .append("    accounts: [acme]\n")
                    .append("    filterLevel: ").append(level.name()).append('\n');
        }
        bridge = BridgeHarness.start(dir, yaml.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        bridge.close();
    }

    @ParameterizedTest(name = "{0} admits {1}: {2}")
    @CsvSource({
            "CRITICAL, CRITICAL, true", "CRITICAL, ELEVATED, false", "CRITICAL, LOW, false", "CRITICAL, NORMAL, false",
            "ELEVATED_AND_ABOVE, CRITICAL, true", "ELEVATED_AND_ABOVE, ELEVATED, true", "ELEVATED_AND_ABOVE, LOW, false", "ELEVATED_AND_ABOVE, NORMAL, false",
            "LOW_AND_ABOVE, CRITICAL, true", "LOW_AND_ABOVE, ELEVATED, true", "LOW_AND_ABOVE, LOW, true", "LOW_AND_ABOVE, NORMAL, false",
            "NORMAL_AND_ABOVE, CRITICAL, true", "NORMAL_AND_ABOVE, ELEVATED, true", "NORMAL_AND_ABOVE, LOW, true", "NORMAL_AND_ABOVE, NORMAL, true"})
    void filterLevelTable(FilterLevel level, Severity severity, boolean admitted) {
        assertEquals(admitted, level.admits(severity));
    }

    @Test
    void everySeverityReachesExactlyTheIntegrationsWhoseLevelAdmitsIt() throws Exception {
        NotifyBuilder ingested = new NotifyBuilder(bridge.camel()).fromRoute("ingest").whenDone(4).create();
        NotifyBuilder delivered = new NotifyBuilder(bridge.camel()).fromRoute("defender-delivery").whenDone(10).create();
        for (Severity severity : Severity.values()) {
            bridge.send(Events.event("ev-" + severity, "acme", "thr-" + severity, severity.name(), "ACTIVE").toString());
        }
        assertTrue(ingested.matches(30, TimeUnit.SECONDS), "4 events ingested");
        assertTrue(delivered.matches(30, TimeUnit.SECONDS), "10 alerts written");

        Set<String> expected = new HashSet<>();
        for (FilterLevel level : FilterLevel.values()) {
            for (Severity severity : Severity.values()) {
                if (level.admits(severity)) {
                    expected.add("level-" + level.name().toLowerCase() + " ev-" + severity);
                }
            }
        }
        Set<String> written = new HashSet<>();
        for (JsonNode line : bridge.dryRunLines()) {
            written.add(line.get("integration").asText() + " " + line.get("eventId").asText());
        }
        assertEquals(10, expected.size());
        assertEquals(expected, written);
        assertEquals(10, bridge.dryRunLines().size(), "no alert written twice");
    }
}
