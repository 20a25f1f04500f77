package io.threatbridge.integration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IntegrationsFileTest {

    private static final String URLS = "https://api.security.microsoft.com/";

    @TempDir
    Path dir;

    private List<Integration> load(String yaml) throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, yaml);
        return IntegrationsFile.load(file, URLS);
    }

    @Test
    void shippedSampleLoads() {
        List<Integration> integrations = IntegrationsFile.load(Path.of("config/integrations.yaml"), URLS);
        assertEquals(3, integrations.size());
        Integration contoso = integrations.get(0);
        assertEquals(FilterLevel.CRITICAL, contoso.filterLevel());
        assertEquals("https://api.security.microsoft.com", contoso.apiUrl(), "default API URL, no trailing slash");
        assertEquals(Integration.Api.auto, contoso.api(), "auto is the default");
        assertTrue(contoso.enabled());
        assertEquals("https://eu.api.security.microsoft.com", integrations.get(1).apiUrl());
        assertEquals(List.of("fabrikam", "fabrikam-eu"), integrations.get(1).accounts());
        Integration graph = integrations.get(2);
        assertEquals(Integration.Api.graph, graph.api());
        assertEquals("https://api.security.microsoft.com", graph.apiUrl(), "apiUrl is Defender for Endpoint's, whatever the api");
    }

    @Test
    void filterLevelDefaultsToCritical() throws Exception {
        Integration only = load("integrations:\n  - {name: a, tenantId: t.onmicrosoft.com, accounts: [x]}\n").get(0);
        assertEquals(FilterLevel.CRITICAL, only.filterLevel());
    }

    static Stream<Arguments> badEntries() {
        return Stream.of(
                arguments("- {name: a, tenantId: t1, accounts: [x]}\n  - {name: a, tenantId: t2, accounts: [y]}",
                        "integrations[1] (a): name is used by an earlier entry"),
                arguments("- {name: a, tenantId: t1, accounts: [x], filterLevel: HIGH}",
                        "integrations[0] (a): filterLevel 'HIGH' is not one of CRITICAL, ELEVATED_AND_ABOVE, LOW_AND_ABOVE, NORMAL_AND_ABOVE"),
                arguments("- {name: a, accounts: [x]}", "integrations[0] (a): tenantId is missing"),
                arguments("- {name: a, tenantId: '', accounts: [x]}", "integrations[0] (a): tenantId is missing"),
                arguments("- {name: a, tenantId: t1, accounts: [x], api: soap}", "integrations[0] (a): api 'soap' is not one of auto, endpoint, graph"),
                arguments("- {name: 'a b', tenantId: t1, accounts: [x]}", "integrations[0] (a b): name must be 1-64 of [A-Za-z0-9._-]"),
                arguments("- {tenantId: t1, accounts: [x]}", "integrations[0]: name must be 1-64"),
                arguments("- {name: a, tenantId: t1, accounts: []}", "integrations[0] (a): accounts must be a non-empty list"),
                arguments("- {name: a, tenantId: t1, accounts: [x], apiUrl: 'http://insecure'}",
                        "integrations[0] (a): apiUrl 'http://insecure' is not an https URL"),
                arguments("- {name: a, tenantId: t1, accounts: [x], apiUrl: 'https://attacker.example'}",
                        "integrations[0] (a): apiUrl 'https://attacker.example' is not a Microsoft API host"),
                arguments("- {name: a, tenantId: t1, accounts: [x], apiUrl: 'https://api.security.microsoft.com.attacker.example'}",
                        "is not a Microsoft API host"),
                arguments("- {name: a, tenantId: t1, accounts: [x], enabled: maybe}", "integrations[0] (a): enabled must be true or false"),
                arguments("- {name: a, tenantId: t1, accounts: [x], senders: []}", "integrations[0] (a): senders must be a non-empty list"),
                arguments("- {name: a, tenantId: t1, accounts: [x], senders: ['']}", "integrations[0] (a): senders holds an entry that is not a broker user"),
                arguments("- {name: a, tenantId: t1, accounts: [x], filterlevel: LOW_AND_ABOVE}", "integrations[0] (a): unknown key 'filterlevel'"));
    }

    /** Regional and government hosts of Microsoft pass, and the host the operator configured (a test's fake, a proxy). */
    @org.junit.jupiter.api.Test
    void apiUrlsOnMicrosoftHostsOrTheConfiguredOnesPass() throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, "integrations:\n"
                + "  - {name: a, tenantId: t1, accounts: [x], apiUrl: 'https://eu.api.security.microsoft.com'}\n"
                + "  - {name: b, tenantId: t2, accounts: [y], apiUrl: 'https://api-gov.securitycenter.microsoft.us'}\n"
                + "  - {name: c, tenantId: t3, accounts: [z], apiUrl: 'https://fake.test:8443/c'}\n");
        List<Integration> loaded = IntegrationsFile.load(file, "https://fake.test:8443");
        assertEquals(3, loaded.size());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badEntries")
    void badEntriesAreRefusedNamingTheEntry(String entries, String message) {
        IntegrationsFileException error = assertThrows(IntegrationsFileException.class,
                () -> load("integrations:\n  " + entries + "\n"));
        assertTrue(error.getMessage().contains(message), error.getMessage());
        assertTrue(error.getMessage().startsWith(dir.resolve("integrations.yaml").toString()), "names the file");
    }

    @Test
    void missingFileAndNonListAreRefused() throws Exception {
        assertTrue(assertThrows(IntegrationsFileException.class, () -> IntegrationsFile.load(dir.resolve("none.yaml"), URLS))
                .getMessage().endsWith("none.yaml: file not found"));
        assertTrue(assertThrows(IntegrationsFileException.class, () -> load("integrations: nope\n"))
                .getMessage().contains("expected a top-level 'integrations:' list"));
        assertTrue(assertThrows(IntegrationsFileException.class, () -> load("integrations: [\n"))
                .getMessage().contains("not readable YAML"));
    }

    /** A data collection endpoint's logs ingestion URL as Azure shows it: {@code <name>-<suffix>.<region>-1.ingest.monitor.azure.com}. */
    private static final String DCE = "https://mobile-dce-a1b2.westeurope-1.ingest.monitor.azure.com";
    private static final String SENTINEL = "{ingestionUrl: 'https://mobile-dce-a1b2.westeurope-1.ingest.monitor.azure.com/',"
            + " dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-MobileThreats_CL}";

    @Test
    void sentinelEntryLoads() throws Exception {
        Integration sentinel = load("integrations:\n  - {name: soc, tenantId: t1, accounts: [x], api: sentinel, sentinel: " + SENTINEL + "}\n").get(0);
        assertEquals(Integration.Api.sentinel, sentinel.api());
        assertEquals("https://mobile-dce-a1b2.westeurope-1.ingest.monitor.azure.com", sentinel.sentinel().ingestionUrl(), "no trailing slash");
        assertEquals("https://mobile-dce-a1b2.westeurope-1.ingest.monitor.azure.com/dataCollectionRules/dcr-0123456789abcdef0123456789abcdef"
                + "/streams/Custom-MobileThreats_CL?api-version=2023-01-01", sentinel.sentinel().uploadUrl());
    }

    static Stream<Arguments> badSentinelEntries() {
        String head = "- {name: soc, tenantId: t1, accounts: [x], api: sentinel";
        return Stream.of(
                arguments(head + "}", "integrations[0] (soc): api: sentinel needs a sentinel mapping"),
                arguments(head + ", sentinel: {ingestionUrl: 'http://dce.example', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}",
                        "integrations[0] (soc): sentinel.ingestionUrl 'http://dce.example' is not an https URL"),
                arguments(head + ", sentinel: {ingestionUrl: 'https://dce.example?x=1', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}",
                        "integrations[0] (soc): sentinel.ingestionUrl 'https://dce.example?x=1' must not carry a query"),
                arguments(head + ", sentinel: {ingestionUrl: '" + DCE + "', dcrImmutableId: dcr-123, stream: Custom-A}}",
                        "integrations[0] (soc): sentinel.dcrImmutableId 'dcr-123' is not a data collection rule's immutable id"),
                arguments(head + ", sentinel: {ingestionUrl: '" + DCE + "', stream: Custom-A}}",
                        "integrations[0] (soc): sentinel.dcrImmutableId is missing"),
                arguments(head + ", sentinel: {ingestionUrl: '" + DCE + "', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: 'MobileThreats_CL'}}",
                        "integrations[0] (soc): sentinel.stream 'MobileThreats_CL' is not a custom stream name"),
                arguments(head + ", sentinel: {ingestionUrl: '" + DCE + "', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: 'Custom-a/../b'}}",
                        "integrations[0] (soc): sentinel.stream 'Custom-a/../b' is not a custom stream name"),
                arguments(head + ", sentinel: {ingestionUrl: '" + DCE + "', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A, table: X}}",
                        "integrations[0] (soc): unknown key 'sentinel.table'"),
                // the ingestion URL gets the tenant's token, and the file is read again while the bridge runs
                arguments(head + ", sentinel: {ingestionUrl: 'https://attacker.example/', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}",
                        "integrations[0] (soc): sentinel.ingestionUrl 'https://attacker.example/' is not an Azure Monitor logs ingestion host"
                                + " (ingest.monitor.azure.com, ingest.monitor.azure.us, ingest.monitor.azure.cn, or below one;"
                                + " bridge.sentinel.allowed-hosts adds others): the tenant's token would go there"),
                arguments(head + ", sentinel: {ingestionUrl: 'https://dce.westeurope-1.ingest.monitor.azure.com.attacker.example',"
                                + " dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}",
                        "sentinel.ingestionUrl 'https://dce.westeurope-1.ingest.monitor.azure.com.attacker.example' is not an Azure Monitor"),
                arguments(head + ", sentinel: {ingestionUrl: 'https://api.security.microsoft.com', dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}",
                        "sentinel.ingestionUrl 'https://api.security.microsoft.com' is not an Azure Monitor"),
                arguments(head + ", apiUrl: 'https://x.example', sentinel: " + SENTINEL + "}",
                        "integrations[0] (soc): apiUrl does not apply to api: sentinel"),
                arguments("- {name: soc, tenantId: t1, accounts: [x], api: graph, sentinel: " + SENTINEL + "}",
                        "integrations[0] (soc): sentinel applies only to api: sentinel"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badSentinelEntries")
    void badSentinelEntriesAreRefusedNamingTheField(String entries, String message) {
        IntegrationsFileException error = assertThrows(IntegrationsFileException.class,
                () -> load("integrations:\n  " + entries + "\n"));
        assertTrue(error.getMessage().contains(message), error.getMessage());
    }

    /**
     * The logs ingestion endpoints of the three clouds pass (Azure Monitor's documented forms:
     * {@code <dce-name>-<suffix>.<region>-<n>.ingest.monitor.azure.com}, .us for Azure Government,
     * .cn for Azure operated by 21Vianet); a host of bridge.sentinel.allowed-hosts (a test's fake)
     * passes only where the setting names it.
     */
    @Test
    void ingestionUrlsOnAzureMonitorHostsOrTheAllowedOnesPass() throws Exception {
        String rule = "dcrImmutableId: dcr-0123456789abcdef0123456789abcdef, stream: Custom-A}}\n";
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, "integrations:\n"
                + "  - {name: a, tenantId: t1, accounts: [x], api: sentinel, sentinel: {ingestionUrl: '" + DCE + "', " + rule
                + "  - {name: b, tenantId: t2, accounts: [y], api: sentinel, sentinel: {ingestionUrl: 'https://gov-dce-x1y2.usgovvirginia-1.ingest.monitor.azure.us', " + rule
                + "  - {name: c, tenantId: t3, accounts: [z], api: sentinel, sentinel: {ingestionUrl: 'https://cn-dce-x1y2.chinanorth3-1.ingest.monitor.azure.cn', " + rule
                + "  - {name: d, tenantId: t4, accounts: [w], api: sentinel, sentinel: {ingestionUrl: 'https://127.0.0.1:8443', " + rule);
        assertEquals(4, IntegrationsFile.load(file, URLS, IntegrationsFile.hostList(" 127.0.0.1 , ,")).size());
        IntegrationsFileException refused = assertThrows(IntegrationsFileException.class, () -> IntegrationsFile.load(file, URLS));
        assertTrue(refused.getMessage().contains("integrations[3] (d): sentinel.ingestionUrl 'https://127.0.0.1:8443' is not an Azure Monitor"),
                refused.getMessage());
        // the Defender URL's host is the apiUrl's allowance, not the ingestion URL's
        assertThrows(IntegrationsFileException.class, () -> IntegrationsFile.load(file, "https://127.0.0.1:8443"));
    }
}
