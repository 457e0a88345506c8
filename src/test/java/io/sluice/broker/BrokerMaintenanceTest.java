package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.PowerLossStorage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker's hold on its data dir, and a maintenance loop that survives its failures. */
class BrokerMaintenanceTest {
    @TempDir
    Path dataDir;

    private static ProduceRecord value(int partition, String v) {
        return new ProduceRecord(partition, null, v.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    @Test
    void aSecondBrokerOnTheSameDataDirFailsFastNamingIt() throws IOException {
        try (Broker first = new Broker(BrokerConfig.defaults(dataDir))) {
            first.createTopic("t", 1, 1, Map.of());
            IOException e = assertThrows(IOException.class, () -> new Broker(BrokerConfig.defaults(dataDir)));
            assertTrue(e.getMessage().contains(dataDir.toString()) && e.getMessage().contains("in use by another broker"),
                    e.getMessage());
            first.produce("t", List.of(value(0, "still mine")), Acks.ALL, null).join();
        }
        try (Broker next = new Broker(BrokerConfig.defaults(dataDir))) {
            assertEquals(1, next.topic("t").log(0).logEndOffset(), "the lock is released at close");
        }
    }

    @Test
    void aBrokerInAnotherProcessHoldingTheDataDirIsRefused() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DataDirLockHolder.class.getName(), dataDir.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("locked true", out.readLine());
            IOException e = assertThrows(IOException.class, () -> new Broker(BrokerConfig.defaults(dataDir)));
            assertTrue(e.getMessage().contains(dataDir.toString()), e.getMessage());
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        try (Broker broker = new Broker(BrokerConfig.defaults(dataDir))) {
            assertTrue(broker.isHealthy(), "the lock went with the other process");
        }
    }

    @Test
    void aFailingMaintenanceStepIsCountedAndEverythingElseGoesOn() throws IOException {
        PowerLossStorage storage = new PowerLossStorage();
        BrokerConfig config = BrokerConfig.defaults(dataDir).withMaintenanceIntervalMs(20);
        try (Broker broker = new Broker(config, null, storage)) {
            broker.createTopic("t", 2, 1, Map.of("segment.ms", "100"));
            // Partition 0 cannot create files (EMFILE), and neither can the checkpoint in the data dir.
            storage.refuseNewFilesIn(Set.of(dataDir.resolve("logs").resolve("t-0"), dataDir));
            broker.produce("t", List.of(value(0, "a"), value(1, "b")), Acks.ALL, null).join();

            await().atMost(Duration.ofSeconds(10)).until(() -> broker.maintenanceFailures() >= 3
                    && broker.topic("t").log(1).segmentCount() >= 2);
            assertEquals(1, broker.topic("t").log(0).segmentCount(), "partition 0 could not roll");
            assertTrue(broker.topic("t").log(0).isOnline(), "a failed roll is not a disk failure");
            assertTrue(broker.isHealthy());
            broker.produce("t", List.of(value(0, "c")), Acks.ALL, null).join();

            storage.refuseNewFilesIn(Set.of());
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.topic("t").log(0).segmentCount() >= 2);
            long failures = broker.maintenanceFailures();
            broker.produce("t", List.of(value(1, "d")), Acks.ALL, null).join();
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.topic("t").log(1).segmentCount() >= 3);
            assertEquals(failures, broker.maintenanceFailures(), "no new failures once the files can be created");
        }
    }
}
