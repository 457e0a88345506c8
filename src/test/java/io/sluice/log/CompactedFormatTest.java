package io.sluice.log;

import static io.sluice.log.CompactionModel.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compacted batches are still Kafka's v2 format (Kafka's {@code MemoryRecords} reads every cleaned
 * segment file, CRCs included, to the same records we serve), and offset gaps are legal where Kafka has
 * them (stored and replicated batches) and refused where it does not (a produced batch).
 */
class CompactedFormatTest {
    private static final long SEED = 20261131L;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void kafkasMemoryRecordsReadsEveryCompactedSegmentToTheRecordsWeServe() throws IOException {
        CompactionModel model = new CompactionModel(SEED, 25, 0.1);
        List<long[]> kafkaSeen = new ArrayList<>();
        try (PartitionLog log = PartitionLog.open("t-0", dir, LogCleanerTest.compacted(2048, 86_400_000L),
                LogRuntime.inMemoryCheckpoints(pool, pool, System::currentTimeMillis, true))) {
            model.write(log, 600, 1_000);
            LogCleaner.Pass pass = new LogCleaner(CleanerConfig.defaults(), System::currentTimeMillis).cleanNow(log);
            assertTrue(pass.recordsRemoved() > 0, "the workload has records to remove: " + pass);
            List<LogRecord> ours = CompactionModel.readAll(log);
            List<LogRecord> theirs = new ArrayList<>();
            boolean sawGap = false;
            for (Path segment : LogFixture.segmentFiles(dir)) {
                MemoryRecords records = MemoryRecords.readableRecords(ByteBuffer.wrap(Files.readAllBytes(segment)));
                for (MutableRecordBatch batch : records.batches()) {
                    batch.ensureValid();
                    long previous = batch.baseOffset() - 1;
                    int count = 0;
                    for (org.apache.kafka.common.record.internal.Record r : batch) {
                        assertTrue(r.offset() > previous && r.offset() <= batch.lastOffset(), "offset " + r.offset()
                                + " in batch " + batch.baseOffset() + ".." + batch.lastOffset());
                        previous = r.offset();
                        theirs.add(new LogRecord(r.offset(), r.timestamp(), bytes(r.key()), bytes(r.value()), List.of()));
                        count++;
                    }
                    assertEquals(batch.countOrNull(), count);
                    sawGap |= count < batch.lastOffset() - batch.baseOffset() + 1;
                    kafkaSeen.add(new long[] {batch.baseOffset(), batch.lastOffset()});
                }
            }
            assertTrue(sawGap, "some batch lost records to compaction and kept its offset range");
            assertEquals(ours.size(), theirs.size());
            for (int i = 0; i < ours.size(); i++) {
                assertEquals(ours.get(i).offset(), theirs.get(i).offset());
                assertEquals(ours.get(i).timestamp(), theirs.get(i).timestamp());
                assertArrayEquals(ours.get(i).key(), theirs.get(i).key());
                assertArrayEquals(ours.get(i).value(), theirs.get(i).value());
            }
        }
        assertTrue(kafkaSeen.size() > 1);
    }

    @Test
    void aGappedBatchValidatesAndIsTakenAsFollowerButNotProducedAsLeader() throws IOException {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            records.add(new Record(utf8("k" + i), utf8("v" + i), 1_000 + i, List.of(new Header("h", utf8("" + i)))));
        }
        ByteBuffer dense = RecordBatchBuilder.build(10, 3, records);
        List<LogRecord> decoded = new ArrayList<>();
        new RecordBatch(dense, 0).forEachRecord(10, 10, decoded::add);
        ByteBuffer gapped = RecordBatchBuilder.rebuild(new RecordBatch(dense, 0), List.of(decoded.get(1), decoded.get(4)));

        RecordBatch gap = new RecordBatch(gapped, 0);
        gap.validate("test");
        assertEquals(10, gap.baseOffset());
        assertEquals(14, gap.lastOffset(), "the header keeps its offset range");
        assertEquals(2, gap.recordCount());
        assertThrows(CorruptRecordException.class, () -> gap.validateDense("test"));
        MutableRecordBatch kafka = MemoryRecords.readableRecords(gapped.duplicate()).batches().iterator().next();
        kafka.ensureValid();
        assertEquals(3, kafka.partitionLeaderEpoch());
        assertEquals(14, kafka.lastOffset());

        try (PartitionLog follower = PartitionLog.open("f-0", dir.resolve("f"), LogConfig.defaults(),
                LogRuntime.inMemoryCheckpoints(pool, pool, System::currentTimeMillis, true))) {
            ByteBuffer first = RecordBatchBuilder.build(0, 3, records.subList(0, 2));
            assertEquals(2, (long) follower.appendAsFollower(first).join());
            assertEquals(15, (long) follower.appendAsFollower(gapped.duplicate()).join(), "a gap before and inside");
            follower.awaitHighWatermark(15).join();
            assertEquals(List.of(0L, 1L, 11L, 14L), CompactionModel.readAll(follower).stream()
                    .map(LogRecord::offset).toList());
            assertEquals(11, follower.read(5, 1 << 20, 10).records().get(0).offset(), "a read in a gap");
            assertEquals(14, follower.read(12, 1 << 20, 10).records().get(0).offset(), "a read in a batch's gap");
        }
        try (PartitionLog leader = PartitionLog.open("l-0", dir.resolve("l"), LogConfig.defaults(),
                LogRuntime.inMemoryCheckpoints(pool, pool, System::currentTimeMillis, true))) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> leader.appendAsLeader(gapped.duplicate(), 0).join());
            assertEquals(ErrorCode.CORRUPT_RECORD, ((SluiceException) e.getCause()).code());
            assertEquals(0, leader.logEndOffset(), "nothing written");
        }
        ByteBuffer disordered = RecordBatchBuilder.rebuild(new RecordBatch(dense, 0),
                List.of(decoded.get(3), decoded.get(1)));
        List<LogRecord> sink = new ArrayList<>();
        assertThrows(CorruptRecordException.class,
                () -> new RecordBatch(disordered, 0).forEachRecord(0, 10, sink::add), "offsets must grow in a batch");
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
