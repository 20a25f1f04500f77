package io.threatbridge.bench;

import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.EventKey;
import io.threatbridge.store.StoreFiles;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Scenario {@code h2file} (docs/benchmarks.md): how the default store's file grows in steady
 * delivery. A table of bench.h2file.rows (1 million) finished events, then deliveries recording one
 * event per commit ({@code markDone}) at bench.h2file.rate (300) a second for bench.h2file.seconds
 * (150), with random event ids. Run twice in this JVM, on fresh files: the store as the bridge opens
 * it (with its H2 housekeeping) and the same store without the housekeeping, the baseline. Reported
 * for each: the file's size and the part of it in use after the fill and at the end, and the CPU per
 * recorded event (the store runs in this process).
 */
final class H2FileGrowth {

    private static final int FILL_BATCH = 10_000;

    private final Path work;
    private final BenchResults results;
    private final long rows = Long.getLong("bench.h2file.rows", 1_000_000);
    private final int rate = Integer.getInteger("bench.h2file.rate", 300);
    private final int seconds = Integer.getInteger("bench.h2file.seconds", 150);

    H2FileGrowth(Path work, BenchResults results) {
        this.work = work;
        this.results = results;
    }

    void run() throws Exception {
        measure("without housekeeping (baseline)", "baseline", StoreFiles::withoutHousekeeping);
        measure("the bridge's store", "bridge", url -> new DeliveryStore(url, "", ""));
    }

    private void measure(String label, String dir, Function<String, DeliveryStore> open) throws Exception {
        Path base = work.resolve("h2file-" + dir).resolve("store");
        Path file = base.resolveSibling("store.mv.db");
        try (DeliveryStore store = open.apply(DeliveryStore.defaultUrl(base.getParent()))) {
            SplittableRandom random = new SplittableRandom(17);
            for (long filled = 0; filled < rows; filled += FILL_BATCH) {
                List<EventKey> events = new ArrayList<>(FILL_BATCH);
                for (int i = 0; i < FILL_BATCH; i++) {
                    events.add(new EventKey("acct", new UUID(random.nextLong(), random.nextLong()).toString()));
                }
                store.markAllDone("h2file", events, "created");
            }
            report(label, String.format("after filling %,d rows", rows), store, file);

            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            long periodNanos = TimeUnit.SECONDS.toNanos(1) / rate;
            long total = (long) rate * seconds;
            for (long n = 0; n < total; n++) {
                long due = start + n * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                String id = new UUID(random.nextLong(), random.nextLong()).toString();
                store.markDone("h2file", "acct", id, "created", "da-" + n);
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            results.add("h2file", String.format("%s: CPU µs per recorded event (%,d at %,.0f/s)", label, total, total / elapsed),
                    String.format("%.0f", (os.getProcessCpuTime() - cpu) / 1e3 / total));
            report(label, String.format("after %,d more single-row commits", total), store, file);
        }
    }

    private void report(String label, String when, DeliveryStore store, Path file) throws Exception {
        long size = Files.size(file);
        results.add("h2file", String.format("%s: file, %s", label, when), String.format("%,.0f MB", size / 1e6));
        results.add("h2file", String.format("%s: in use, %s", label, when), String.format("%,.0f MB", size * StoreFiles.fillRate(store) / 100 / 1e6));
    }
}
