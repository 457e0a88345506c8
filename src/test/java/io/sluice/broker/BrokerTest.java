package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broker built directly (no container): topics, persistence, and the produce and fetch paths. */
class BrokerTest {
    @TempDir
    Path dataDir;

    private Broker broker;

    private Broker start() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ProduceRecord value(String v) {
        return new ProduceRecord(null, null, v.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    private static ProduceRecord keyed(String key, String v) {
        return new ProduceRecord(null, key.getBytes(StandardCharsets.UTF_8), v.getBytes(StandardCharsets.UTF_8),
                null, List.of());
    }

    @Test
    void topicsConfigsAndRecordsSurviveARestart() throws IOException {
        start().createTopic("orders", 2, 1, Map.of("retention.ms", "3600000"));
        broker.produce("orders", List.of(keyed("a", "1"), keyed("b", "2")), Acks.ALL, null).join();
        broker.addPartitions("orders", 4);
        broker.updateTopicConfig("orders", Map.of("segment.bytes", "100000"));
        broker.close();

        Broker restarted = start();
        Topic orders = restarted.topic("orders");
        assertEquals(4, orders.partitionCount());
        assertEquals(Map.of("retention.ms", "3600000", "segment.bytes", "100000"),
                orders.metadata().config().overrides());
        long total = orders.logs().stream().mapToLong(l -> l.logEndOffset()).sum();
        assertEquals(2, total);
    }

    @Test
    void aDeletedTopicIsGoneWithItsDataAndCanBeRecreatedEmpty() throws IOException {
        start().createTopic("gone", 1, 1, Map.of());
        broker.produce("gone", List.of(value("x")), Acks.ALL, null).join();
        broker.deleteTopic("gone");
        assertEquals(ErrorCode.TOPIC_NOT_FOUND, assertThrows(SluiceException.class, () -> broker.topic("gone")).code());
        assertFalse(Files.exists(dataDir.resolve("logs").resolve("gone-0")));
        broker.createTopic("gone", 1, 1, Map.of());
        assertEquals(0, broker.topic("gone").log(0).logEndOffset());
        broker.close();
        start();
        assertEquals(0, broker.topic("gone").log(0).logEndOffset());
    }

    @Test
    void orphanLogDirectoriesAreRemovedOnStart() throws IOException {
        start().close();
        Path orphan = dataDir.resolve("logs").resolve("nobody-0");
        Files.createDirectories(orphan);
        Files.write(orphan.resolve("00000000000000000000.log"), new byte[10]);
        start();
        assertFalse(Files.exists(orphan));
    }

    @Test
    void badTopicDefinitionsAreRefusedAndNothingIsSaved() throws IOException {
        start();
        assertCode(ErrorCode.INVALID_TOPIC, () -> broker.createTopic("bad name", 1, 1, Map.of()));
        assertCode(ErrorCode.INVALID_TOPIC, () -> broker.createTopic("x".repeat(250), 1, 1, Map.of()));
        assertCode(ErrorCode.INVALID_TOPIC, () -> broker.createTopic("..", 1, 1, Map.of()));
        assertCode(ErrorCode.INVALID_PARTITIONS, () -> broker.createTopic("p0", 0, 1, Map.of()));
        assertCode(ErrorCode.INVALID_CONFIG, () -> broker.createTopic("c", 1, 1, Map.of("retention.ms", "soon")));
        assertCode(ErrorCode.INVALID_CONFIG, () -> broker.createTopic("c", 1, 1, Map.of("cleanup.policy", "compact,shred")));
        assertCode(ErrorCode.INVALID_CONFIG, () -> broker.createTopic("c", 1, 1, Map.of("min.insync.replicas", "2")));
        assertCode(ErrorCode.UNKNOWN_PARTITIONER, () -> broker.createTopic("c", 1, 1, Map.of("partitioner", "nope")));
        assertTrue(broker.topics().isEmpty());
        broker.createTopic("ok", 1, 1, Map.of());
        assertCode(ErrorCode.TOPIC_ALREADY_EXISTS, () -> broker.createTopic("ok", 1, 1, Map.of()));
        assertCode(ErrorCode.INVALID_PARTITIONS, () -> broker.addPartitions("ok", 1));
    }

    @Test
    void aRequestWithOneBadRecordWritesNothing() throws IOException {
        start().createTopic("strict", 2, 1, Map.of("max.message.bytes", "1000"));
        List<ProduceRecord> records = new ArrayList<>(List.of(value("a"), value("b")));
        records.add(new ProduceRecord(5, null, new byte[1], null, List.of()));
        assertCode(ErrorCode.PARTITION_NOT_FOUND, () -> broker.produce("strict", records, Acks.ALL, null));
        List<ProduceRecord> tooBig = List.of(value("a"), new ProduceRecord(null, null, new byte[2000], null, List.of()));
        assertCode(ErrorCode.RECORD_TOO_LARGE, () -> broker.produce("strict", tooBig, Acks.ALL, null));
        List<ProduceRecord> badTime = List.of(value("a"), new ProduceRecord(null, null, null, -5L, List.of()));
        assertCode(ErrorCode.INVALID_REQUEST, () -> broker.produce("strict", badTime, Acks.ALL, null));
        Topic t = broker.topic("strict");
        assertEquals(0, t.log(0).logEndOffset() + t.log(1).logEndOffset());
    }

    @Test
    void aLargeRequestIsSplitIntoBatchesWithinMaxMessageBytes() throws IOException {
        start().createTopic("big", 1, 1, Map.of("max.message.bytes", "10000"));
        List<ProduceRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            records.add(new ProduceRecord(0, null, new byte[900], null, List.of()));
        }
        List<RecordResult> results = broker.produce("big", records, Acks.ALL, null).join();
        for (int i = 0; i < 100; i++) {
            assertEquals(i, results.get(i).offset(), "offsets in request order");
        }
        FetchResult read = broker.fetch("big", 0, 0, 1000, 1 << 20, 0).join();
        assertEquals(100, read.records().size());
    }

    @Test
    void keysFollowMurmur2AndKeylessRecordsGoRoundRobin() throws IOException {
        start().createTopic("spread", 4, 1, Map.of());
        List<ProduceRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(value("v" + i));
        }
        records.add(keyed("user-42", "k"));
        List<RecordResult> results = broker.produce("spread", records, Acks.LEADER, null).join();
        int[] perPartition = new int[4];
        for (int i = 0; i < 40; i++) {
            perPartition[results.get(i).partition()]++;
        }
        assertEquals(List.of(10, 10, 10, 10), List.of(perPartition[0], perPartition[1], perPartition[2], perPartition[3]));
        assertEquals(Murmur2.partitionFor("user-42".getBytes(StandardCharsets.UTF_8), 4), results.get(40).partition());
    }

    @Test
    void aCustomPartitionerChosenByTopicConfigOrByRequest() throws IOException {
        start().partitioners().register(new Partitioner() {
            @Override
            public String name() {
                return "last";
            }

            @Override
            public int partition(String topic, byte[] key, byte[] value, int partitionCount) {
                return partitionCount - 1;
            }
        });
        broker.createTopic("custom", 3, 1, Map.of("partitioner", "last"));
        assertEquals(2, broker.produce("custom", List.of(keyed("k", "v")), Acks.ALL, null).join().get(0).partition());
        broker.createTopic("plain", 3, 1, Map.of());
        assertEquals(2, broker.produce("plain", List.of(value("v")), Acks.ALL, "last").join().get(0).partition());
        assertCode(ErrorCode.UNKNOWN_PARTITIONER, () -> broker.produce("plain", List.of(value("v")), Acks.ALL, "nope"));
    }

    @Test
    void aLongPollReturnsWhenARecordArrives() throws Exception {
        start().createTopic("poll", 1, 1, Map.of());
        CompletableFuture<FetchResult> poll = broker.fetch("poll", 0, 0, 10, 1024, 30_000);
        assertFalse(poll.isDone());
        broker.produce("poll", List.of(value("hello")), Acks.ALL, null).join();
        List<LogRecord> records = poll.get(10, TimeUnit.SECONDS).records();
        assertEquals("hello", new String(records.get(0).value(), StandardCharsets.UTF_8));
        FetchResult idle = broker.fetch("poll", 0, 1, 10, 1024, 50).get(10, TimeUnit.SECONDS);
        assertTrue(idle.records().isEmpty());
        assertEquals(1, idle.highWatermark());
    }

    @Test
    void acksZeroRepliesWithoutOffsets() throws IOException {
        start().createTopic("fire", 1, 1, Map.of());
        RecordResult r = broker.produce("fire", List.of(value("x")), Acks.NONE, null).join().get(0);
        assertEquals(-1, r.offset());
    }

    private static void assertCode(ErrorCode expected, Runnable action) {
        SluiceException e = assertThrows(SluiceException.class, action::run);
        assertEquals(expected, e.code(), e.getMessage());
    }
}
