package io.threatbridge.integration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The console's edits of the integrations file: text kept as it was around them, checked as the reload checks. */
class IntegrationsFileEditorTest {

    private static final String URL = "https://api.security.microsoft.com";
    private static final String TENANT = "0c7f1a2b-3d4e-4f50-8a6b-7c8d9e0f1a2b";

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("integrations.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static IntegrationsFileEditor.NewEntry entry(String name, List<String> accounts, String level) {
        return new IntegrationsFileEditor.NewEntry(name, TENANT, accounts, level, "auto");
    }

    @Test
    void appendKeepsCommentsAndOrderAndIndentation() throws Exception {
        String before = "# top comment\nintegrations:\n    # first\n    - name: a   # keep me\n      tenantId: t.example.com\n"
                + "      accounts: [x]\n    - {name: b, tenantId: u.example.com, accounts: [y]}\n# trailing comment\n";
        Path file = write(before);
        Integration added = new IntegrationsFileEditor(file, URL).append(entry("new-one", List.of("acme", "acme-eu"), "CRITICAL"),
                "added in the console by admin");
        String after = Files.readString(file);
        assertTrue(after.startsWith(before), "the file before is kept byte for byte:\n" + after);
        assertTrue(after.contains("\n    # added in the console by admin\n    - name: \"new-one\"\n      tenantId: \"" + TENANT + "\"\n"), after);
        List<Integration> loaded = IntegrationsFile.load(file, URL);
        assertEquals(List.of("a", "b", "new-one"), loaded.stream().map(Integration::name).toList());
        assertEquals(List.of("acme", "acme-eu"), loaded.get(2).accounts());
        assertEquals(added, loaded.get(2));
    }

    @Test
    void appendToAnEmptyList() throws Exception {
        Path file = write("# none yet\nintegrations: []\n");
        new IntegrationsFileEditor(file, URL).append(entry("first", List.of("acme"), "LOW_AND_ABOVE"), null);
        List<Integration> loaded = IntegrationsFile.load(file, URL);
        assertEquals(1, loaded.size());
        assertEquals(FilterLevel.LOW_AND_ABOVE, loaded.get(0).filterLevel());
        assertTrue(Files.readString(file).startsWith("# none yet\n"));
    }

    @Test
    void refusedWithTheReloadsErrorAndTheFileUnchanged() throws Exception {
        String before = "integrations:\n  - {name: a, tenantId: t.example.com, accounts: [x]}\n";
        Path file = write(before);
        IntegrationsFileEditor editor = new IntegrationsFileEditor(file, URL);
        assertEquals(file + ": integrations[1] (a): name is used by an earlier entry",
                assertThrows(IntegrationsFileException.class, () -> editor.append(entry("a", List.of("y"), "CRITICAL"), null)).getMessage());
        assertEquals(file + ": integrations[1] (n): filterLevel 'HIGH' is not one of CRITICAL, ELEVATED_AND_ABOVE, LOW_AND_ABOVE, NORMAL_AND_ABOVE",
                assertThrows(IntegrationsFileException.class, () -> editor.append(entry("n", List.of("y"), "HIGH"), null)).getMessage());
        assertTrue(assertThrows(IntegrationsFileException.class, () -> editor.append(entry("n", List.of(), "CRITICAL"), null))
                .getMessage().endsWith("accounts must be a non-empty list of console account ids"));
        // input cannot change the structure: every value is a quoted string
        assertTrue(assertThrows(IntegrationsFileException.class, () -> editor.append(entry("x\n  - name: evil", List.of("y"), "CRITICAL"), null))
                .getMessage().contains("name must be 1-64 of [A-Za-z0-9._-]"));
        assertEquals(before, Files.readString(file));
        assertEquals(List.of(), Files.list(dir).filter(p -> !p.equals(file)).toList(), "no temporary file left");
    }

    @Test
    void aFileWhoseListDoesNotEndItIsLeftAlone() throws Exception {
        String before = "integrations:\n  - {name: a, tenantId: t.example.com, accounts: [x]}\nlater: 1\n";
        Path file = write(before);
        assertTrue(assertThrows(IntegrationsFileException.class,
                () -> new IntegrationsFileEditor(file, URL).append(entry("n", List.of("y"), "CRITICAL"), null))
                .getMessage().contains("add the entry by hand"));
        assertEquals(before, Files.readString(file));
    }

    @Test
    void setEnabledRewritesOnlyThatValue() throws Exception {
        String before = "integrations:\n"
                + "  - name: block\n    tenantId: t.example.com\n    accounts: [x]\n    filterLevel: CRITICAL # the level\n"
                + "  - {name: flow, tenantId: u.example.com, accounts: [y]}\n"
                + "  - name: listed\n    tenantId: v.example.com\n    accounts:\n      - z\n"
                + "  - name: has-key\n    enabled: true\n    tenantId: w.example.com\n    accounts: [w]\n";
        Path file = write(before);
        IntegrationsFileEditor editor = new IntegrationsFileEditor(file, URL);
        for (String name : List.of("block", "flow", "listed", "has-key")) {
            assertFalse(editor.setEnabled(name, false).enabled());
        }
        String after = Files.readString(file);
        assertTrue(after.contains("    filterLevel: CRITICAL # the level\n    enabled: false\n"), after);
        assertTrue(after.contains("  - {name: flow, tenantId: u.example.com, accounts: [y], enabled: false}\n"), after);
        assertTrue(after.contains("  - name: has-key\n    enabled: false\n"), after);
        assertTrue(IntegrationsFile.load(file, URL).stream().noneMatch(Integration::enabled));
        editor.setEnabled("has-key", true);
        assertTrue(Files.readString(file).contains("  - name: has-key\n    enabled: true\n"));
        assertThrows(IntegrationsFileException.class, () -> editor.setEnabled("nobody", true));
    }
}
