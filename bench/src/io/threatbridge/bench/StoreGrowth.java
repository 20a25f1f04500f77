package io.threatbridge.bench;

import io.threatbridge.store.DeliveryStore;
import io.threatbridge.store.EventKey;
import io.threatbridge.store.StoreRetention;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Scenario {@code retention} (docs/benchmarks.md): the cost of a delivery's two statements on
 * {@code delivered_event} as the table grows from empty to bench.retention.rows (10 million) rows:
 * recording an event as finished ({@code markDone}: one insert and a durable commit) and reading a
 * delivery's state ({@code lookUp}: the event, its threat's alert, its pending create), measured at 0,
 * a tenth, half and all of the rows. In between the table is filled the fast way, batches of 10,000
 * in one transaction ({@code markAllDone}, as Sentinel batches are). Event ids are random UUIDs, as
 * vendors' are, so the inserts land all over the primary key's index; look-ups ask for random
 * events that are there. Then the retention deletes the first tenth of the rows (as if they were
 * 30 days old) while a delivery thread goes on recording events: its rate, and the delivery's cost
 * meanwhile.
 *
 * <p>The default is the bridge's default store, an H2 file with durable commits;
 * bench.retention.store-url (and -user) point it at PostgreSQL instead. CPU is this process's
 * (the store runs in it for H2; for PostgreSQL the server's own CPU is not counted, wall time is).
 */
final class StoreGrowth {

    private static final int FILL_BATCH = 10_000;
    private static final int INTEGRATIONS = 4;

    private final Path work;
    private final BenchResults results;
    private final long rows = Long.getLong("bench.retention.rows", 10_000_000);
    private final int samples = Integer.getInteger("bench.retention.samples", 2_000);
    private final String url = System.getProperty("bench.retention.store-url", "");
    private final String user = System.getProperty("bench.retention.store-user");
    private final SplittableRandom random = new SplittableRandom(16);
    private long filled;
    private long inserted;

    StoreGrowth(Path work, BenchResults results) {
        this.work = work;
        this.results = results;
    }

    void run() throws Exception {
        String store = url.isBlank() ? "H2 file" : "PostgreSQL";
        try (DeliveryStore delivery = new DeliveryStore(url.isBlank() ? DeliveryStore.defaultUrl(work.resolve("growth")) : url, user, null)) {
            // warm-up, forgotten: the JIT compiles the store's path first, so the empty table is not measured cold
            markDone(delivery, samples);
            lookUp(delivery, samples);
            Instant tenthFilled = null;
            for (long at : new long[]{0, rows / 10, rows / 2, rows}) {
                long fillStart = System.nanoTime();
                long before = filled;
                fill(delivery, at);
                if (filled > before) {
                    System.out.printf("retention: filled %,d rows at %,.0f rows/s%n", filled - before,
                            (filled - before) / ((System.nanoTime() - fillStart) / 1e9));
                }
                if (at == rows / 10) {
                    tenthFilled = Instant.now();
                }
                Cost insert = markDone(delivery, samples);
                Cost lookUp = lookUp(delivery, samples);
                results.add("retention", String.format("%s, %,d rows: markDone / lookUp, wall µs per call", store, filled),
                        String.format("%.0f / %.0f", insert.wallMicros(), lookUp.wallMicros()));
                results.add("retention", String.format("%s, %,d rows: markDone / lookUp, CPU µs per call", store, filled),
                        String.format("%.0f / %.0f", insert.cpuMicros(), lookUp.cpuMicros()));
                if (url.isBlank()) {
                    results.add("retention", String.format("%s, %,d rows: size of the file", store, filled),
                            String.format("%,.0f MB", Files.size(work.resolve("growth").resolve("store.mv.db")) / 1e6));
                }
            }

            // the first tenth as if 30 days old: the retention deletes them while deliveries go on
            StoreRetention retention = new StoreRetention(delivery, new StoreRetention.Ages(Duration.ofDays(30), Duration.ofDays(1),
                    Duration.ofHours(1)), Duration.ofMinutes(10));
            Instant asOf = tenthFilled.plus(Duration.ofDays(30));
            long start = System.nanoTime();
            CompletableFuture<StoreRetention.Deleted> deleting = CompletableFuture.supplyAsync(() -> retention.run(asOf));
            List<Cost> during = new ArrayList<>();
            while (!deleting.isDone()) {
                during.add(markDone(delivery, 200));
            }
            long deleted = deleting.get().events();
            double seconds = (System.nanoTime() - start) / 1e9;
            results.add("retention", String.format("%s: retention deleting %,d of %,d rows, rows/s", store, deleted, filled),
                    String.format("%,.0f", deleted / seconds));
            results.add("retention", String.format("%s: markDone while it deletes, wall µs per call (mean of %,d)", store, during.size() * 200),
                    String.format("%.0f", during.stream().mapToDouble(Cost::wallMicros).average().orElse(0)));
        }
    }

    /** Fills the table up to {@code target} rows, 10,000 a transaction. */
    private void fill(DeliveryStore store, long target) {
        while (filled < target) {
            int batch = (int) Math.min(FILL_BATCH, target - filled);
            int integration = (int) (filled / FILL_BATCH % INTEGRATIONS);
            List<EventKey> events = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                events.add(new EventKey("acct-" + integration, eventId(filled + i)));
            }
            store.markAllDone("growth-" + integration, events, "created");
            filled += batch;
        }
    }

    /** The nth event's id: a UUID made from n, so a look-up can ask for an event that is there. */
    private static String eventId(long n) {
        return new UUID(mix(n), mix(~n)).toString();
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private record Cost(double wallMicros, double cpuMicros) {
    }

    private Cost markDone(DeliveryStore store, int calls) {
        return measure(calls, () -> {
            String id = "new-" + inserted++ + "-" + random.nextLong();
            store.markDone("growth-0", "acct-0", id, "created", "da-" + id);
        });
    }

    private Cost lookUp(DeliveryStore store, int calls) {
        if (filled == 0) {
            return measure(calls, () -> store.lookUp("growth-0", "acct-0", eventId(random.nextLong(1_000_000)), "thr-none"));
        }
        return measure(calls, () -> {
            long n = random.nextLong(filled);
            int integration = (int) (n / FILL_BATCH % INTEGRATIONS);
            if (!store.lookUp("growth-" + integration, "acct-" + integration, eventId(n), "thr-" + n).done()) {
                throw new IllegalStateException("event " + n + " not found");
            }
        });
    }

    private static Cost measure(int calls, Runnable call) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < calls / 10; i++) {
            call.run();
        }
        long cpu = os.getProcessCpuTime();
        long wall = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        return new Cost((System.nanoTime() - wall) / 1e3 / calls, (os.getProcessCpuTime() - cpu) / 1e3 / calls);
    }
}
