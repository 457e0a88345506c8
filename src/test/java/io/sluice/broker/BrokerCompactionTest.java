package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.CleanerConfig;
import io.sluice.log.LogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compacted topics in a broker: keys are required, and the background cleaner compacts them. */
class BrokerCompactionTest {
    private static final long SEED = 20261201L;

    @TempDir
    Path dataDir;

    private static ProduceRecord keyed(String key, String value) {
        return new ProduceRecord(0, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    @Test
    void aRecordWithoutAKeyIsRefusedByACompactedTopicAndNothingIsWritten() throws IOException {
        try (Broker broker = new Broker(BrokerConfig.defaults(dataDir))) {
            broker.createTopic("c", 1, 1, Map.of("cleanup.policy", "compact"));
            broker.createTopic("d", 1, 1, Map.of("cleanup.policy", "compact,delete"));
            broker.createTopic("plain", 1, 1, Map.of());
            for (String topic : List.of("c", "d")) {
                SluiceException e = assertThrows(SluiceException.class, () -> broker.produce(topic,
                        List.of(keyed("k", "v"), keyed(null, "no key")), Acks.ALL, null).join());
                assertEquals(ErrorCode.INVALID_REQUEST, e.code());
                assertTrue(e.getMessage().contains("record 1 has no key"), e.getMessage());
                assertEquals(0, broker.topic(topic).log(0).logEndOffset(), "nothing written to " + topic);
            }
            broker.produce("plain", List.of(keyed(null, "fine")), Acks.ALL, null).join();
            broker.produce("c", List.of(keyed("k", null)), Acks.ALL, null).join(); // a tombstone has a key
            assertEquals(1, broker.topic("c").log(0).logEndOffset());
        }
    }

    @Test
    void theBackgroundCleanerCompactsACompactedTopicAndReadersSeeTheLatestValuePerKey() throws IOException {
        BrokerConfig config = BrokerConfig.defaults(dataDir).withMaintenanceIntervalMs(50)
                .withCleaner(new CleanerConfig(true, 1 << 20, 64 * 1024, 0.5, 50));
        Random random = new Random(SEED);
        Map<String, String> latest = new HashMap<>();
        try (Broker broker = new Broker(config)) {
            broker.createTopic("c", 1, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "1024"));
            for (int i = 0; i < 600; i++) {
                String key = "k" + random.nextInt(12);
                String value = key + "-" + i;
                latest.put(key, value);
                broker.produce("c", List.of(keyed(key, value)), Acks.ALL, null).join();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> broker.logCleaner().passes() > 0
                    && readAll(broker).size() < 300);
            List<LogRecord> read = readAll(broker);
            Map<String, String> seen = new HashMap<>();
            long previous = -1;
            for (LogRecord r : read) {
                assertTrue(r.offset() > previous);
                previous = r.offset();
                seen.put(new String(r.key(), StandardCharsets.UTF_8), new String(r.value(), StandardCharsets.UTF_8));
                assertTrue(new String(r.value(), StandardCharsets.UTF_8).endsWith("-" + r.offset()),
                        "the record keeps its original offset: " + r.offset());
            }
            assertEquals(latest, seen);
            assertTrue(broker.logCleaner().bytesCleaned() > 0);
        }
    }

    private static List<LogRecord> readAll(Broker broker) {
        List<LogRecord> all = new ArrayList<>();
        long next = 0;
        while (true) {
            FetchResult r = broker.fetch("c", 0, next, 1000, 64 * 1024, 0).join();
            if (next >= r.highWatermark()) {
                return all;
            }
            assertTrue(r.nextOffset() > next, "a fetch at " + next + " moves on");
            all.addAll(r.records());
            next = r.nextOffset();
        }
    }
}
