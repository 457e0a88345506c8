package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.EpochEntry;
import io.sluice.log.PartitionLog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The produce path on the reshaped log: batches carry the partition's leader epoch, and acks=all
 * is answered when the high watermark passes the records (replication's, once it manages it), not
 * when they are written or fsynced.
 */
class ProduceHighWatermarkTest {
    @TempDir
    Path dataDir;

    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static ProduceRecord value(String v) {
        return new ProduceRecord(0, null, v.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    @Test
    void acksAllWaitsForAManagedHighWatermarkAndBatchesCarryTheLeaderEpoch() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir));
        Topic topic = broker.createTopic("hw", 1, 1, Map.of());
        Partition partition = topic.partition(0);
        PartitionLog log = partition.log();
        assertEquals(0, broker.produce("hw", List.of(value("a")), Acks.ALL, null).join().get(0).offset());
        assertEquals(List.of(new EpochEntry(0, 0)), log.epochs().entries(), "epoch 0 until replication sets one");

        log.manageHighWatermark();
        partition.setLeaderEpoch(5);
        CompletableFuture<List<RecordResult>> all = broker.produce("hw", List.of(value("b"), value("c")), Acks.ALL, null);
        List<RecordResult> leader = broker.produce("hw", List.of(value("d")), Acks.LEADER, null).join();
        assertEquals(3, leader.get(0).offset(), "acks=1 answers once written");
        await().atMost(Duration.ofSeconds(5)).until(() -> log.durableEnd() == 4);
        assertFalse(all.isDone(), "acks=all waits for the high watermark, not the fsync");
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(5, 1)), log.epochs().entries());

        log.updateHighWatermark(3);
        List<RecordResult> results = all.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join();
        assertEquals(List.of(1L, 2L), results.stream().map(RecordResult::offset).toList());
        assertEquals(3, log.highWatermark());

        CompletableFuture<List<RecordResult>> lost = broker.produce("hw", List.of(value("e")), Acks.ALL, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> log.logEndOffset() == 5);
        log.failHighWatermarkWaiters(() -> new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, "leadership lost"));
        RecordResult failed = lost.join().get(0);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, failed.error());

        partition.setLeaderEpoch(4);
        RecordResult fenced = broker.produce("hw", List.of(value("stale")), Acks.LEADER, null).join().get(0);
        assertEquals(ErrorCode.LEADER_NOT_AVAILABLE, fenced.error(), "a deposed leader's epoch is refused");
    }
}
