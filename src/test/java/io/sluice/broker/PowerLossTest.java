package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.LogRecord;
import io.sluice.log.PowerLossStorage;
import io.sluice.log.StorageIo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power cut in the middle of produce and fetch traffic, on a file system that forgets every
 * byte and every directory entry that was not fsynced ({@link PowerLossStorage}). After the
 * restart every record acknowledged with acks=all, and every record a consumer was served, must
 * be there at its offset with its value (DESIGN invariants 1 and 2). With fsync off the same
 * check must find losses: that is what proves the test can fail.
 */
class PowerLossTest {
    private static final long SEED = 20_261_129L;
    private static final String TOPIC = "power";
    private static final int PARTITIONS = 3;
    private static final int PRODUCERS = 4;

    @TempDir
    Path dataDir;

    /** Partition and offset to the value stored there. */
    private record Slot(int partition, long offset) {
    }

    @Test
    void everyAcknowledgedAndEveryServedRecordSurvivesAPowerCut() throws Exception {
        List<String> violations = runAndCutPower(true);
        assertTrue(violations.isEmpty(), violations.size() + " violations, first: "
                + violations.subList(0, Math.min(5, violations.size())));
    }

    @Test
    void withoutFsyncThePowerCutLosesAcknowledgedRecords() throws Exception {
        List<String> violations = runAndCutPower(false);
        assertFalse(violations.isEmpty(), "with fsync off a power cut must lose acknowledged records; if it does not, "
                + "the power-loss storage forgets too little");
    }

    private List<String> runAndCutPower(boolean fsync) throws Exception {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED + " fsync=" + fsync);
        PowerLossStorage storage = new PowerLossStorage();
        BrokerConfig config = BrokerConfig.defaults(dataDir).withFsync(fsync).withMaintenanceIntervalMs(20);
        Broker broker = new Broker(config, null, storage);
        broker.createTopic(TOPIC, PARTITIONS, 1, Map.of("segment.bytes", "8192"));

        Map<Slot, String> acknowledged = new ConcurrentHashMap<>();
        Map<Slot, String> served = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger acks = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(PRODUCERS + PARTITIONS);
        for (int t = 0; t < PRODUCERS; t++) {
            int producer = t;
            int batchSize = 1 + random.nextInt(8);
            clients.execute(() -> produce(broker, producer, batchSize, running, acknowledged, acks));
        }
        for (int p = 0; p < PARTITIONS; p++) {
            int partition = p;
            clients.execute(() -> consume(broker, partition, running, served));
        }
        int cutAfter = 300 + random.nextInt(300);
        await().atMost(Duration.ofSeconds(60)).until(() -> acks.get() >= cutAfter);
        storage.powerLoss();
        running.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        broker.close(); // nothing reaches the disk any more; this only lets go of the files and the lock
        System.out.println("cut after " + acks.get() + " acknowledged records, " + served.size() + " served");

        try (Broker restarted = new Broker(config, null, StorageIo.DEFAULT)) {
            Map<Slot, String> stored = readAll(restarted);
            List<String> violations = new ArrayList<>();
            acknowledged.forEach((slot, value) -> {
                if (!value.equals(stored.get(slot))) {
                    violations.add("acknowledged " + slot + "=" + value + " but found " + stored.get(slot));
                }
            });
            served.forEach((slot, value) -> {
                if (!value.equals(stored.get(slot))) {
                    violations.add("served " + slot + "=" + value + " but found " + stored.get(slot));
                }
            });
            return violations;
        }
    }

    private static void produce(Broker broker, int producer, int batchSize, AtomicBoolean running,
            Map<Slot, String> acknowledged, AtomicInteger acks) {
        for (int i = 0; running.get(); i++) {
            List<ProduceRecord> records = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int k = 0; k < batchSize; k++) {
                String value = "p" + producer + "-" + i + "-" + k + "-" + "x".repeat(100);
                values.add(value);
                records.add(new ProduceRecord(null, null, value.getBytes(StandardCharsets.UTF_8), null, List.of()));
            }
            List<RecordResult> results;
            try {
                results = broker.produce(TOPIC, records, Acks.ALL, null).join();
            } catch (RuntimeException e) {
                continue; // the power is off: an error reply acknowledges nothing
            }
            for (int k = 0; k < results.size(); k++) {
                RecordResult r = results.get(k);
                if (!r.isError()) {
                    acknowledged.put(new Slot(r.partition(), r.offset()), values.get(k));
                    acks.incrementAndGet();
                }
            }
        }
    }

    private static void consume(Broker broker, int partition, AtomicBoolean running, Map<Slot, String> served) {
        long next = 0;
        while (running.get()) {
            try {
                FetchResult r = broker.fetch(TOPIC, partition, next, 500, 1 << 20, 50).join();
                for (LogRecord rec : r.records()) {
                    served.put(new Slot(partition, rec.offset()), new String(rec.value(), StandardCharsets.UTF_8));
                }
                next = r.nextOffset();
            } catch (RuntimeException e) {
                return; // the power is off
            }
        }
    }

    private static Map<Slot, String> readAll(Broker broker) {
        Map<Slot, String> stored = new ConcurrentHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            long next = broker.topic(TOPIC).partition(p).logStartOffset();
            long end = broker.topic(TOPIC).partition(p).highWatermark();
            assertEquals(end, broker.topic(TOPIC).partition(p).logEndOffset(), "everything recovered is visible");
            while (next < end) {
                FetchResult r = broker.fetch(TOPIC, p, next, 1000, 1 << 20, 0).join();
                for (LogRecord rec : r.records()) {
                    stored.put(new Slot(p, rec.offset()), new String(rec.value(), StandardCharsets.UTF_8));
                }
                next = r.nextOffset();
            }
        }
        return stored;
    }
}
