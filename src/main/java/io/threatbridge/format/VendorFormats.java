package io.threatbridge.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.threatbridge.event.EventValidator;
import io.threatbridge.event.InvalidEventException;
import io.threatbridge.event.MappedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The vendor formats of interface.md 4b, one mapping file per format in the formats folder
 * (bridge.formats-dir), read at start and again when a file changes. The ingest route calls
 * {@link #records} (message to records) and {@link #map} (record to event).
 */
public class VendorFormats {

    private static final Logger LOG = LoggerFactory.getLogger(VendorFormats.class);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path dir;
    private volatile Map<String, FormatMapping> formats;
    private Map<Path, String> seen;

    /** Reads every mapping file; a file with an error refuses the start (the exception names file and key). */
    public VendorFormats(Path dir) {
        this.dir = dir;
        this.seen = stamps();
        this.formats = load(dir);
        LOG.info("vendor formats from {}: {}", dir, formats.isEmpty() ? "none" : String.join(", ", formats.keySet()));
    }

    /** Every *.yaml file of the folder, keyed by the format it declares; none when the folder is missing. */
    public static Map<String, FormatMapping> load(Path dir) {
        Map<String, FormatMapping> loaded = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return Map.of();
        }
        for (Path file : files(dir)) {
            FormatMapping mapping;
            try {
                mapping = FormatMapping.parse(file.toString(), YAML.readTree(Files.readString(file, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new FormatFileException(file + ": not readable YAML: " + e.getMessage().lines().findFirst().orElse(""), e);
            }
            FormatMapping earlier = loaded.put(mapping.name(), mapping);
            if (earlier != null) {
                throw new FormatFileException(file + ": format: '" + mapping.name() + "' is declared by another file too");
            }
        }
        return Map.copyOf(loaded);
    }

    public Map<String, FormatMapping> formats() {
        return formats;
    }

    /** The message's records, each to be mapped on its own; the whole message is invalid only when it cannot be split. */
    public List<VendorRecord> records(Object body, String format) {
        FormatMapping mapping = formats.get(format);
        if (mapping == null) {
            throw new InvalidEventException("bridgeFormat: '" + FormatFunctions.abbreviate(String.valueOf(format)) + "' is not a known format ("
                    + (formats.isEmpty() ? "none in " + dir : String.join(", ", new TreeMap<>(formats).keySet()))
                    + "); leave the property out for the bridge's own format");
        }
        List<VendorRecords.Raw> raws = VendorRecords.read(body);
        List<VendorRecord> records = new ArrayList<>(raws.size());
        for (int i = 0; i < raws.size(); i++) {
            records.add(new VendorRecord(mapping, i, raws.size(), raws.get(i).tree(), raws.get(i).text()));
        }
        return records;
    }

    /** The event made from one record, or InvalidEventException naming the record and the vendor's field. */
    public MappedEvent map(VendorRecord record) {
        if (record.text().length() > EventValidator.MAX_BYTES
                && record.text().getBytes(StandardCharsets.UTF_8).length > EventValidator.MAX_BYTES) {
            throw new InvalidEventException(record.origin() + ": " + record.text().getBytes(StandardCharsets.UTF_8).length
                    + " bytes, more than the limit of " + EventValidator.MAX_BYTES + " per record");
        }
        try {
            var tree = record.format().map(record.tree());
            return new MappedEvent(tree.toString(), tree, record.origin(), record.format().vendorFields());
        } catch (InvalidEventException e) {
            throw new InvalidEventException(record.origin() + ": " + e.getMessage());
        }
    }

    /** Called on a timer: reads the folder again when a file was added, changed or removed; a refused folder leaves the formats in force. */
    public synchronized void reloadIfChanged() {
        Map<Path, String> now = stamps();
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        try {
            formats = load(dir);
            LOG.info("vendor formats reloaded from {}: {}", dir, formats.isEmpty() ? "none" : String.join(", ", formats.keySet()));
        } catch (FormatFileException refused) {
            LOG.error("vendor formats refused, the formats in force stay: {}", refused.getMessage());
        }
    }

    /** Each file's modification time and size: a change of either is a change. */
    private Map<Path, String> stamps() {
        Map<Path, String> stamps = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            for (Path file : files(dir)) {
                try {
                    stamps.put(file, Files.getLastModifiedTime(file) + " " + Files.size(file));
                } catch (IOException e) {
                    stamps.put(file, "unreadable");
                }
            }
        }
        return stamps;
    }

    private static List<Path> files(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.yaml")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new FormatFileException(dir + ": not readable: " + e.getMessage(), e);
        }
        files.sort(null);
        return files;
    }
}
