package io.threatbridge.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No two packages of the bridge use each other, directly or round a loop (docs/architecture.md
 * draws the layers): a package can then be read, tested and changed knowing only what it uses.
 * And the plain Java below the routes knows nothing of Camel: the beans the routes call
 * (io.threatbridge.route) are the edge that binds exchange properties.
 */
class PackageCyclesTest {

    @Test
    void mainPackagesFormNoCycle() {
        PackageGraph graph = PackageGraph.read(Path.of("src", "main", "java"), "io.threatbridge");
        assertTrue(graph.packages().size() > 5, "read the bridge's packages: " + graph.packages());
        List<List<String>> cycles = graph.cycles();
        if (!cycles.isEmpty()) {
            fail("packages that use each other in a loop:\n" + cycles.stream()
                    .map(cycle -> cycle.stream().map(pkg -> pkg + " uses " + graph.usedBy(pkg)).collect(Collectors.joining("\n  ", "  ", "")))
                    .collect(Collectors.joining("\n")));
        }
    }

    @Test
    void thePlainJavaBelowTheRoutesImportsNoCamel() throws IOException {
        List<String> camel = new ArrayList<>();
        for (String pkg : List.of("event", "format", "integration", "store", "microsoft", "delivery", "logging")) {
            Path dir = Path.of("src", "main", "java", "io", "threatbridge", pkg);
            assertTrue(Files.isDirectory(dir), dir + " exists");
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    if (Files.readString(file).contains("org.apache.camel")) {
                        camel.add(file.toString());
                    }
                }
            }
        }
        assertEquals(List.of(), camel, "files below the routes that use Camel");
    }
}
