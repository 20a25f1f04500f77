package io.threatbridge.architecture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The checker behind {@link PackageCyclesTest}, on tiny trees made for it: it must see a cycle to be worth anything. */
class PackageGraphTest {

    @TempDir
    Path root;

    @Test
    void findsACycleThroughImports() throws IOException {
        source("x/a/A.java", "package x.a;\nimport x.b.B;\nclass A { B b; }\n");
        source("x/b/B.java", "package x.b;\nimport x.c.C;\nclass B { C c; }\n");
        source("x/c/C.java", "package x.c;\nimport x.a.A;\nclass C { A a; }\n");
        source("x/d/D.java", "package x.d;\nimport x.a.A;\nclass D { A a; }\n");

        assertEquals(List.of(List.of("x.a", "x.b", "x.c")), PackageGraph.read(root, "x").cycles());
    }

    @Test
    void findsACycleThroughAFullyQualifiedNameAndAStaticImport() throws IOException {
        source("x/a/A.java", "package x.a;\nimport static x.b.B.helper;\nclass A { }\n");
        source("x/b/B.java", "package x.b;\nclass B { Object o = new x.a.A(); }\n");

        assertEquals(List.of(List.of("x.a", "x.b")), PackageGraph.read(root, "x").cycles());
    }

    @Test
    void findsACycleBetweenAPackageAndItsParent() throws IOException {
        source("x/Main.java", "package x;\nimport x.a.A;\nclass Main { A a; }\n");
        source("x/a/A.java", "package x.a;\nimport x.Main;\nclass A { Main m; }\n");

        assertEquals(List.of(List.of("x", "x.a")), PackageGraph.read(root, "x").cycles());
    }

    @Test
    void aLayeredTreeHasNoCycle() throws IOException {
        source("x/a/A.java", "package x.a;\nimport x.b.B;\nimport java.util.List;\nclass A { B b; }\n");
        source("x/b/B.java", "package x.b;\n/** uses x.a.A in prose only */\nclass B { String s = \"x.a.A\"; // x.a.A\n}\n");
        source("y/Y.java", "package y;\nimport x.a.A;\nclass Y { }\n");

        PackageGraph graph = PackageGraph.read(root, "x");
        assertEquals(List.of(), graph.cycles());
        assertEquals(Set.of("x.b"), graph.usedBy("x.a"));
        assertEquals(Set.of("x.a", "x.b"), graph.packages());
    }

    private void source(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
