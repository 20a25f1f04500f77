package io.threatbridge.architecture;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * No two packages of the bridge use each other, directly or round a loop (docs/architecture.md
 * draws the layers): a package can then be read, tested and changed knowing only what it uses.
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
}
