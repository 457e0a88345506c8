package io.sluice.log;

import static io.sluice.log.LogFixture.batch;
import static io.sluice.log.LogFixture.bytesOf;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's append: bytes read from the leader for a replica land byte for byte, epochs
 * included; anything that does not continue the log exactly, or does not validate, is refused
 * with nothing written. Also the leader side: fenced epochs, and slices for replicas.
 */
class FollowerAppendTest {
    private static final long SEED = 80801L;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final LogRuntime runtime = LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true);
    private final List<PartitionLog> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(l -> {
            try {
                l.close();
            } catch (RuntimeException ignored) {
                // closed by the test
            }
        });
        pool.shutdownNow();
    }

    private PartitionLog openLog(String name, LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open(name, dir.resolve(name), config, runtime);
        open.add(log);
        return log;
    }

    private static ByteBuffer kafkaBatch(Random random, int records) {
        SimpleRecord[] simple = new SimpleRecord[records];
        for (int i = 0; i < records; i++) {
            byte[] value = new byte[1 + random.nextInt(300)];
            random.nextBytes(value);
            byte[] key = random.nextBoolean() ? null : ("k" + random.nextInt(100)).getBytes(StandardCharsets.UTF_8);
            simple[i] = new SimpleRecord(1_000L + random.nextInt(1000), key, value);
        }
        // Kafka's producer sends base offset 0 and no epoch: the leader stamps both.
        MemoryRecords kafka = MemoryRecords.withRecords(RecordBatch.CURRENT_MAGIC_VALUE, 0L, Compression.NONE,
                TimestampType.CREATE_TIME, -1L, (short) -1, -1, -1, false, simple);
        ByteBuffer copy = ByteBuffer.allocate(kafka.sizeInBytes());
        copy.put(kafka.buffer().duplicate()).flip();
        return copy;
    }

    @Test
    void aFollowerCopyOfKafkaEncodedBatchesIsByteIdenticalToTheLeadersLog() throws IOException {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        LogConfig config = LogConfig.defaults().withSegmentBytes(8192);
        PartitionLog leader = openLog("leader", config);
        PartitionLog follower = openLog("follower", config);
        for (int i = 0; i < 60; i++) {
            int epoch = i < 20 ? 0 : i < 45 ? 3 : 4;
            leader.appendAsLeader(kafkaBatch(random, 1 + random.nextInt(8)), epoch).join();
        }
        LogFixture.replicate(leader, follower, 1 + random.nextInt(3000));

        assertEquals(leader.logEndOffset(), follower.logEndOffset());
        assertArrayEquals(LogFixture.concatenatedSegments(dir.resolve("leader")),
                LogFixture.concatenatedSegments(dir.resolve("follower")), "the follower's log is the leader's, byte for byte");
        assertEquals(leader.epochs().entries(), follower.epochs().entries(), "epochs learned from the batches");
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(3, leader.epochs().entries().get(1).startOffset()),
                new EpochEntry(4, leader.epochs().entries().get(2).startOffset())), follower.epochs().entries());
        assertTrue(follower.segmentCount() > 1, "the follower rolled its segments: " + follower.segmentCount());

        // Kafka reads the follower's files as its own: valid batches, dense offsets, the leader's epochs.
        long expected = 0;
        for (Path segment : LogFixture.segmentFiles(dir.resolve("follower"))) {
            try (FileRecords records = FileRecords.open(new File(segment.toString()))) {
                for (RecordBatch b : records.batches()) {
                    b.ensureValid();
                    assertEquals(expected, b.baseOffset());
                    assertTrue(b.partitionLeaderEpoch() == 0 || b.partitionLeaderEpoch() == 3
                            || b.partitionLeaderEpoch() == 4);
                    expected = b.nextOffset();
                }
            }
        }
        assertEquals(follower.logEndOffset(), expected);
    }

    @Test
    void anAppendBelowTheLogEndIsRefusedAndWritesNothingWhileOneAboveItLeavesAGap() throws IOException {
        PartitionLog leader = openLog("leader", LogConfig.defaults());
        PartitionLog follower = openLog("follower", LogConfig.defaults());
        for (int i = 0; i < 6; i++) {
            leader.appendAsLeader(batch("a" + i, "b" + i), 0).join();
        }
        follower.appendAsFollower(bytesOf(leader.readForReplica(0, 1))).join(); // offsets 0-1
        long sizeBefore = follower.sizeInBytes();

        ByteBuffer overlap = bytesOf(leader.readForReplica(0, 1));
        assertRefused(ErrorCode.OFFSET_OUT_OF_RANGE, () -> follower.appendAsFollower(overlap).join());
        assertEquals(2, follower.logEndOffset());
        assertEquals(sizeBefore, follower.sizeInBytes(), "nothing written");

        // A compacted leader's log has gaps: a batch above the end is taken, the gap kept as it is.
        assertEquals(6, (long) follower.appendAsFollower(bytesOf(leader.readForReplica(4, 1))).join());
        follower.awaitHighWatermark(6).join();
        PartitionLog.ReadResult inGap = follower.read(2, 1 << 20, 100);
        assertEquals(4, inGap.records().get(0).offset(), "a read in the gap starts at the next record");
    }

    @Test
    void batchesThatOverlapAreRefusedBeforeAnyIsWrittenWhileAGapBetweenThemIsTaken() throws IOException {
        PartitionLog follower = openLog("follower", LogConfig.defaults());
        ByteBuffer first = RecordBatchBuilder.build(0L, 0, List.of(rec("x"), rec("y")));   // offsets 0-1
        ByteBuffer overlapping = RecordBatchBuilder.build(1L, 0, List.of(rec("z")));       // offset 1 again
        ByteBuffer run = ByteBuffer.allocate(first.remaining() + overlapping.remaining()).put(first.duplicate())
                .put(overlapping).flip();
        assertRefused(ErrorCode.CORRUPT_RECORD, () -> follower.appendAsFollower(run).join());
        assertEquals(0, follower.logEndOffset());
        assertEquals(0, follower.sizeInBytes());

        ByteBuffer skipping = RecordBatchBuilder.build(5L, 0, List.of(rec("z")));          // offset 5: a gap
        ByteBuffer gapped = ByteBuffer.allocate(first.remaining() + skipping.remaining()).put(first).put(skipping)
                .flip();
        assertEquals(6, (long) follower.appendAsFollower(gapped).join());
        follower.awaitHighWatermark(6).join();
        assertEquals(List.of(0L, 1L, 5L), follower.read(0, 1 << 20, 100).records().stream().map(LogRecord::offset)
                .toList());
    }

    @Test
    void aCorruptOrTruncatedBatchAnywhereInTheRunIsRefusedAndNothingIsWritten() throws IOException {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        PartitionLog leader = openLog("leader", LogConfig.defaults());
        for (int i = 0; i < 5; i++) {
            leader.appendAsLeader(batch("v" + i + "-0", "v" + i + "-1"), 1).join();
        }
        ByteBuffer good = bytesOf(leader.readForReplica(0, Integer.MAX_VALUE));
        for (int round = 0; round < 50; round++) {
            PartitionLog follower = openLog("follower-" + round, LogConfig.defaults());
            ByteBuffer bad = ByteBuffer.allocate(good.remaining()).put(good.duplicate()).flip();
            int third = good.remaining() * 2 / 5; // inside a later batch, past the first
            if (round % 5 == 0) {
                bad.limit(bad.limit() - 1 - random.nextInt(20)); // the last batch cut short: its length lies
            } else {
                // A byte under the CRC (attributes onward) of some batch after the first.
                int at = third + random.nextInt(bad.limit() - third);
                int batchStart = batchStartOf(bad, at);
                if (at - batchStart < RecordBatchDescriptor.ATTRIBUTES_OFFSET) {
                    at = batchStart + RecordBatchDescriptor.ATTRIBUTES_OFFSET;
                }
                bad.put(at, (byte) (bad.get(at) ^ (1 + random.nextInt(255))));
            }
            assertRefused(ErrorCode.CORRUPT_RECORD, () -> follower.appendAsFollower(bad).join());
            assertEquals(0, follower.logEndOffset(), "round " + round);
            assertEquals(0, follower.sizeInBytes(), "round " + round + ": nothing written");
            assertEquals(List.of(), follower.epochs().entries());
        }
    }

    private static int batchStartOf(ByteBuffer run, int position) {
        int at = 0;
        while (at + io.sluice.log.RecordBatch.sizeAt(run, at) <= position) {
            at += io.sluice.log.RecordBatch.sizeAt(run, at);
        }
        return at;
    }

    @Test
    void aLeaderAppendAtAnOlderEpochIsFencedAndWritesNothing() throws IOException {
        PartitionLog log = openLog("leader", LogConfig.defaults());
        log.appendAsLeader(batch("a"), 2).join();
        long size = log.sizeInBytes();
        assertRefused(ErrorCode.LEADER_NOT_AVAILABLE, () -> log.appendAsLeader(batch("stale"), 1).join());
        assertEquals(1, log.logEndOffset());
        assertEquals(size, log.sizeInBytes());
        assertEquals(2, log.epochs().latestEpoch());
        assertEquals(1, log.appendAsLeader(batch("b"), 2).join().baseOffset());
    }

    @Test
    void readForReplicaServesWholeBatchesUpToTheLogEndNotTheHighWatermark() throws IOException {
        PartitionLog log = openLog("leader", LogConfig.defaults());
        log.manageHighWatermark();
        for (int i = 0; i < 4; i++) {
            log.appendAsLeader(batch("a" + i, "b" + i, "c" + i), 0).join(); // 3 records each
        }
        assertEquals(0, log.highWatermark());
        LogSlice one = log.readForReplica(3, 1);
        assertEquals(1, new io.sluice.log.RecordBatch(bytesOf(one), 0).recordCount() / 3, "at least one whole batch");
        LogSlice all = log.readForReplica(0, Integer.MAX_VALUE);
        assertEquals(log.sizeInBytes(), all.length(), "everything up to the log end, above the high watermark too");
        LogSlice two = log.readForReplica(0, 2 * one.length() + 1);
        assertEquals(2 * one.length(), two.length(), "whole batches only");
        assertEquals(0, log.readForReplica(12, 100).length(), "empty at the log end");

        for (long bad : new long[] {-1, 13, 4}) {
            assertRefused(ErrorCode.OFFSET_OUT_OF_RANGE, () -> log.readForReplica(bad, 100));
        }
    }

    private static Record rec(String value) {
        return new Record(null, value.getBytes(StandardCharsets.UTF_8), 1_000, List.of());
    }

    private static void assertRefused(ErrorCode code, org.junit.jupiter.api.function.Executable call) {
        Throwable e = assertThrows(Throwable.class, call);
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        assertTrue(cause instanceof SluiceException s && s.code() == code, "expected " + code + ": " + cause);
    }
}
