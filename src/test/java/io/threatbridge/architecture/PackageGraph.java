package io.threatbridge.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which package of a source tree uses which, read from the sources as text: the import lines and the
 * fully qualified names in the code, kept when they name a package of the same tree under the given
 * prefix. Enough to find cycles between packages without compiling anything.
 */
final class PackageGraph {

    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    /** a qualified name up to its first upper-case part: the package of an import or of a name in the code */
    private static final Pattern QUALIFIED = Pattern.compile("\\b((?:[a-z_][\\w]*\\.)+)[A-Z*]");

    private final Map<String, Set<String>> uses;

    private PackageGraph(Map<String, Set<String>> uses) {
        this.uses = uses;
    }

    /** Every package under {@code prefix} in the .java files below {@code root}, with the packages of that tree it uses. */
    static PackageGraph read(Path root, String prefix) {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                sources.put(file.toString(), Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Set<String>> uses = new TreeMap<>();
        Map<String, String> packageOf = new HashMap<>();
        sources.forEach((file, text) -> {
            Matcher declared = PACKAGE.matcher(text);
            String pkg = declared.find() ? declared.group(1) : "";
            packageOf.put(file, pkg);
            if (pkg.equals(prefix) || pkg.startsWith(prefix + ".")) {
                uses.putIfAbsent(pkg, new TreeSet<>());
            }
        });
        sources.forEach((file, text) -> {
            String pkg = packageOf.get(file);
            if (!uses.containsKey(pkg)) {
                return;
            }
            Matcher name = QUALIFIED.matcher(withoutComments(text));
            while (name.find()) {
                String used = name.group(1).substring(0, name.group(1).length() - 1);
                if (!used.equals(pkg) && uses.containsKey(used) && !name.group(0).startsWith("package")) {
                    uses.get(pkg).add(used);
                }
            }
        });
        return new PackageGraph(uses);
    }

    /** The packages that use each other in a loop, each loop as its packages in order; none: no cycle. */
    List<List<String>> cycles() {
        List<List<String>> found = new ArrayList<>();
        for (Set<String> component : stronglyConnected()) {
            if (component.size() > 1) {
                found.add(new ArrayList<>(component));
            }
        }
        found.sort(Comparator.comparing(cycle -> cycle.get(0)));
        return found;
    }

    /** Which packages {@code from} uses, with one file-free line per edge for a failure message. */
    Set<String> usedBy(String from) {
        return uses.getOrDefault(from, Set.of());
    }

    Set<String> packages() {
        return uses.keySet();
    }

    /** Tarjan's algorithm. */
    private List<Set<String>> stronglyConnected() {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> components = new ArrayList<>();
        int[] counter = {0};
        for (String pkg : uses.keySet()) {
            if (!index.containsKey(pkg)) {
                connect(pkg, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private void connect(String pkg, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
                         Set<String> onStack, List<Set<String>> components, int[] counter) {
        index.put(pkg, counter[0]);
        low.put(pkg, counter[0]);
        counter[0]++;
        stack.push(pkg);
        onStack.add(pkg);
        for (String used : usedBy(pkg)) {
            if (!index.containsKey(used)) {
                connect(used, index, low, stack, onStack, components, counter);
                low.put(pkg, Math.min(low.get(pkg), low.get(used)));
            } else if (onStack.contains(used)) {
                low.put(pkg, Math.min(low.get(pkg), index.get(used)));
            }
        }
        if (low.get(pkg).equals(index.get(pkg))) {
            Set<String> component = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                component.add(member);
            } while (!member.equals(pkg));
            components.add(component);
        }
    }

    /** Comments and string literals out, so that a package named in prose or in a message is no use of it. */
    private static String withoutComments(String text) {
        return text.replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\\n]*", " ").replaceAll("\"(?:[^\"\\\\\\n]++|\\\\.)*+\"", "\"\"");
    }
}
