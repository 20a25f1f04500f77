package io.threatbridge.bench;

import io.threatbridge.BridgeHarness;
import io.threatbridge.chaos.StandaloneBroker;
import jakarta.jms.Connection;
import jakarta.jms.Session;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Scenario {@code queues} (docs/benchmarks.md): what a delivery queue per integration costs the
 * broker's heap. A standalone broker of artemis/standalone/broker.xml gets bench.queues (10,000)
 * queues under {@code defender.out.}, empty, as the bridge's ingest makes them; its heap after a full
 * GC before and after. Run twice, each on a broker of its own: with the shipped broker.xml, and the
 * baseline with its {@code initial-queue-buffer-size} taken out (Artemis's default buffer).
 */
final class BrokerQueues {

    private final Path work;
    private final BenchResults results;
    private final int queues = Integer.getInteger("bench.queues", 10_000);

    BrokerQueues(Path work, BenchResults results) {
        this.work = work;
        this.results = results;
    }

    void run() throws Exception {
        String shipped = Files.readString(Path.of("artemis/standalone/broker.xml"));
        String withoutSetting = shipped.replaceAll("\\s*<initial-queue-buffer-size>\\d+</initial-queue-buffer-size>", "");
        if (withoutSetting.equals(shipped)) {
            throw new IllegalStateException("artemis/standalone/broker.xml sets no initial-queue-buffer-size: nothing to compare");
        }
        measure("Artemis's default queue buffer (baseline)", "queues-baseline", withoutSetting);
        measure("the shipped broker.xml", "queues-shipped", shipped);
    }

    private void measure(String label, String dir, String brokerXml) throws Exception {
        try (StandaloneBroker broker = StandaloneBroker.of(work.resolve(dir), BridgeHarness.freePort(), brokerXml)) {
            broker.start();
            long before = Benchmark.liveHeapKiB(broker.pid());
            ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(broker.url(), StandaloneBroker.USER, StandaloneBroker.PASSWORD);
            try (factory; Connection connection = factory.createConnection();
                 Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                // a consumer makes its queue (auto-create), which stays when it closes (auto-delete-queues false)
                for (int i = 0; i < queues; i++) {
                    session.createConsumer(session.createQueue(String.format("defender.out.q%05d", i))).close();
                }
            }
            long after = Benchmark.liveHeapKiB(broker.pid());
            results.add("queues", label + String.format(": broker heap after a full GC, empty / with %,d delivery queues", queues),
                    String.format("%d MiB / %d MiB (%.1f KiB a queue)", before / 1024, after / 1024, (after - before) / (double) queues));
        }
    }
}
