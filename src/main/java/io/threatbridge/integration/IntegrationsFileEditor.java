package io.threatbridge.integration;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Changes the integrations file as text, so its comments, order and layout stay what the ESB team
 * keeps in version control: a new entry is appended to the {@code integrations:} list, a switch
 * rewrites only the entry's {@code enabled:} value. The result is checked whole by
 * {@link IntegrationsFile#parse} (the reload's own checks, the reload's own error) before it
 * replaces the file: written to a temporary file beside it, forced to disk, moved over it
 * atomically. The running bridge's reload then applies it.
 */
public class IntegrationsFileEditor {

    /** What the console asks for; every value is checked by the file's own rules when it is written. */
    public record NewEntry(String name, String tenantId, List<String> accounts, String filterLevel, String api) {
    }

    private final Path file;
    private final String defenderApiUrl;
    private final List<String> sentinelHosts;

    /** @param defenderApiUrl bridge.defender.api-url, as the registry loads the file with */
    public IntegrationsFileEditor(Path file, String defenderApiUrl) {
        this(file, defenderApiUrl, List.of());
    }

    /** @param sentinelHosts bridge.sentinel.allowed-hosts, as the registry loads the file with */
    public IntegrationsFileEditor(Path file, String defenderApiUrl, List<String> sentinelHosts) {
        this.file = file;
        this.defenderApiUrl = defenderApiUrl;
        this.sentinelHosts = List.copyOf(sentinelHosts);
    }

    /**
     * Appends the entry at the end of the {@code integrations:} list, with a comment line saying who
     * added it. Refused (the file unchanged) with the reload's error when the resulting file would
     * be refused.
     */
    public synchronized Integration append(NewEntry entry, String comment) {
        String content = read();
        Node list = integrationsList(content);
        String text;
        if (list instanceof SequenceNode sequence && sequence.getValue().isEmpty()) {
            // "integrations: []": the empty flow list becomes a block list holding the entry
            text = splice(content, sequence.getStartMark(), sequence.getEndMark(), "\n" + entryText(entry, comment, "  "));
        } else if (list instanceof SequenceNode sequence && sequence.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.BLOCK
                && endsTheDocument(content, sequence)) {
            Node first = sequence.getValue().get(0);
            String indent = " ".repeat(dashColumn(content, first));
            text = content + (content.endsWith("\n") ? "" : "\n") + entryText(entry, comment, indent);
        } else {
            throw new IntegrationsFileException(file + ": the console adds an entry at the end of a block list 'integrations:'"
                    + " that ends the file; this file is laid out otherwise, add the entry by hand");
        }
        List<Integration> after = IntegrationsFile.parse(file, text, defenderApiUrl, sentinelHosts);
        Integration added = after.get(after.size() - 1);
        if (!added.name().equals(entry.name())) {
            throw new IntegrationsFileException(file + ": the entry did not land at the end of the integrations list; add it by hand");
        }
        replace(content, text);
        return added;
    }

    /** Sets the entry's {@code enabled:} (adding the key when the entry has none); returns the integration as the file now has it. */
    public synchronized Integration setEnabled(String name, boolean enabled) {
        String content = read();
        Node list = integrationsList(content);
        if (!(list instanceof SequenceNode sequence)) {
            throw new IntegrationsFileException(file + ": expected a top-level 'integrations:' list");
        }
        MappingNode entry = null;
        for (Node item : sequence.getValue()) {
            if (item instanceof MappingNode mapping && name.equals(scalar(mapping, "name"))) {
                entry = mapping;
            }
        }
        if (entry == null) {
            throw new IntegrationsFileException(file + ": no integration named '" + name + "'");
        }
        String value = String.valueOf(enabled);
        String text = null;
        for (NodeTuple tuple : entry.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && "enabled".equals(key.getValue())) {
                text = splice(content, tuple.getValueNode().getStartMark(), tuple.getValueNode().getEndMark(), value);
            }
        }
        if (text == null && entry.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW) {
            // "- {name: a, ...}": before the closing brace
            int close = index(content, entry.getEndMark()) - 1;
            if (content.charAt(close) != '}') {
                throw new IntegrationsFileException(file + ": cannot find the end of entry '" + name + "'; change it by hand");
            }
            text = content.substring(0, close) + ", enabled: " + value + content.substring(close);
        } else if (text == null) {
            List<NodeTuple> tuples = entry.getValue();
            Node firstKey = tuples.get(0).getKeyNode();
            Node lastValue = tuples.get(tuples.size() - 1).getValueNode();
            String indent = " ".repeat(firstKey.getStartMark().getColumn());
            boolean endsOnItsLine = lastValue instanceof ScalarNode
                    || lastValue instanceof org.yaml.snakeyaml.nodes.CollectionNode<?> collection
                    && collection.getFlowStyle() == org.yaml.snakeyaml.DumperOptions.FlowStyle.FLOW;
            if (endsOnItsLine) {
                // after the line of the last value, so a comment at its end stays there
                int lineEnd = content.indexOf('\n', index(content, lastValue.getEndMark()));
                int at = lineEnd < 0 ? content.length() : lineEnd;
                text = content.substring(0, at) + "\n" + indent + "enabled: " + value + content.substring(at);
            } else {
                int at = index(content, firstKey.getStartMark());
                text = content.substring(0, at) + "enabled: " + value + "\n" + indent + content.substring(at);
            }
        }
        Integration changed = IntegrationsFile.parse(file, text, defenderApiUrl, sentinelHosts).stream()
                .filter(integration -> integration.name().equals(name)).findFirst()
                .orElseThrow(() -> new IntegrationsFileException(file + ": entry '" + name + "' lost in the edit"));
        if (changed.enabled() != enabled) {
            throw new IntegrationsFileException(file + ": could not set enabled of '" + name + "'; change it by hand");
        }
        replace(content, text);
        return changed;
    }

    private String read() {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IntegrationsFileException(file + ": not readable: " + e.getMessage(), e);
        }
    }

    /** The value of the top-level key integrations (the file checked as the reload checks it first). */
    private Node integrationsList(String content) {
        IntegrationsFile.parse(file, content, defenderApiUrl, sentinelHosts);
        Node root;
        try {
            root = new Yaml(new LoaderOptions()).compose(new StringReader(content));
        } catch (YAMLException e) {
            throw new IntegrationsFileException(file + ": not readable YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && "integrations".equals(key.getValue())) {
                    return tuple.getValueNode();
                }
            }
        }
        throw new IntegrationsFileException(file + ": expected a top-level 'integrations:' list");
    }

    /** Whether nothing but blank lines and comments follows the list. */
    private static boolean endsTheDocument(String content, SequenceNode list) {
        Node last = list.getValue().get(list.getValue().size() - 1);
        return content.substring(index(content, last.getEndMark())).lines()
                .allMatch(line -> line.isBlank() || line.stripLeading().startsWith("#"));
    }

    /** The column of the "-" that opens a list item. */
    private static int dashColumn(String content, Node item) {
        int at = index(content, item.getStartMark()) - 1;
        while (at >= 0 && content.charAt(at) != '-') {
            at--;
        }
        int lineStart = content.lastIndexOf('\n', at) + 1;
        return at - lineStart;
    }

    /** The entry as block YAML; every value a double-quoted (JSON) string, so no input can change the structure. */
    private static String entryText(NewEntry entry, String comment, String indent) {
        String inner = indent + "  ";
        StringBuilder text = new StringBuilder();
        if (comment != null && !comment.isBlank()) {
            text.append(indent).append("# ").append(comment.replaceAll("[\\r\\n]+", " ")).append('\n');
        }
        text.append(indent).append("- name: ").append(quote(entry.name())).append('\n');
        text.append(inner).append("tenantId: ").append(quote(entry.tenantId())).append('\n');
        text.append(inner).append("accounts: [").append(entry.accounts().stream().map(IntegrationsFileEditor::quote)
                .collect(Collectors.joining(", "))).append("]\n");
        text.append(inner).append("filterLevel: ").append(quote(entry.filterLevel())).append('\n');
        text.append(inner).append("api: ").append(quote(entry.api())).append('\n');
        return text.toString();
    }

    private static String quote(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value == null ? "" : value)) + "\"";
    }

    private static String scalar(MappingNode mapping, String key) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode k && key.equals(k.getValue()) && tuple.getValueNode() instanceof ScalarNode value) {
                return value.getValue();
            }
        }
        return null;
    }

    private static String splice(String content, Mark start, Mark end, String replacement) {
        return content.substring(0, index(content, start)) + replacement + content.substring(index(content, end));
    }

    /** SnakeYAML counts code points; Java strings count UTF-16 units. */
    private static int index(String content, Mark mark) {
        return content.offsetByCodePoints(0, mark.getIndex());
    }

    /** Writes a temporary file beside the file, forces it to disk and moves it over the file, unless the file changed meanwhile. */
    private void replace(String expected, String text) {
        try {
            Path target = file.toRealPath();
            if (!Files.readString(target).equals(expected)) {
                throw new IntegrationsFileException(file + ": changed by someone else meanwhile; try again");
            }
            Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
                    channel.force(true);
                }
                PosixFileAttributeView permissions = Files.getFileAttributeView(target, PosixFileAttributeView.class);
                if (permissions != null) {
                    Files.setPosixFilePermissions(temp, permissions.readAttributes().permissions());
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
            forceDirectory(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The move itself is durable only once the directory is on disk (Linux); elsewhere this may not be possible. */
    private static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // the rename is atomic either way; only its durability across a power loss depends on this
        }
    }
}
