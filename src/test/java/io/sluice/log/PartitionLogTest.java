package io.sluice.log;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog.AppendInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's invariants, on real files with fsync: dense offsets, recovery, indexes, retention. */
class PartitionLogTest {
    private static final long SEED = 7L;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    /** Shared by every open, so a reopen after a clean close finds the recovery point (as a broker does). */
    private final LogRuntime runtime = LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true);
    private final List<PartitionLog> open = new ArrayList<>();

    @AfterEach
    void tearDown() {
        open.forEach(l -> {
            try {
                l.close();
            } catch (RuntimeException ignored) {
                // a test may close a log itself
            }
        });
        pool.shutdownNow();
    }

    private PartitionLog openLog(LogConfig config) throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, config, runtime);
        open.add(log);
        return log;
    }

    private static LogConfig smallSegments() {
        return LogConfig.defaults().withSegmentBytes(4096);
    }

    private static ByteBuffer batch(String... values) {
        List<Record> records = new ArrayList<>();
        for (String v : values) {
            records.add(new Record(null, v.getBytes(StandardCharsets.UTF_8), 1_000, List.of()));
        }
        return RecordBatchBuilder.build(records);
    }

    private static ByteBuffer batchAt(long timestamp, String value) {
        return RecordBatchBuilder.build(List.of(new Record(null, value.getBytes(StandardCharsets.UTF_8), timestamp,
                List.of())));
    }

    private static List<String> readAll(PartitionLog log, long from) {
        List<String> values = new ArrayList<>();
        long next = from;
        while (next < log.highWatermark()) {
            PartitionLog.ReadResult r = log.read(next, 64 * 1024, 1000);
            for (LogRecord rec : r.records()) {
                assertEquals(from + values.size(), rec.offset(), "dense offsets");
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
            }
            next = r.nextOffset();
        }
        return values;
    }

    private void fill(PartitionLog log, int count) {
        for (int i = 0; i < count; i++) {
            Appends.committed(log, batch("v" + i)).join();
        }
    }

    @Test
    void appendsGetDenseOffsetsAndReadBackAcrossSegments() throws IOException {
        PartitionLog log = openLog(smallSegments());
        for (int i = 0; i < 300; i++) {
            AppendInfo info = Appends.committed(log, batch("a" + i, "b" + i)).join();
            assertEquals(2L * i, info.baseOffset());
            assertEquals(2L * i + 1, info.lastOffset());
        }
        assertTrue(log.segmentCount() > 3, "segments rolled: " + log.segmentCount());
        assertEquals(600, log.logEndOffset());
        assertEquals(600, log.highWatermark());
        List<String> values = readAll(log, 0);
        assertEquals(600, values.size());
        assertEquals("a0", values.get(0));
        assertEquals("b299", values.get(599));
    }

    @Test
    void readsFromAnyOffsetStartAtThatOffset() throws IOException {
        PartitionLog log = openLog(smallSegments());
        for (int i = 0; i < 200; i++) {
            Appends.committed(log, batch("x" + (3 * i), "x" + (3 * i + 1), "x" + (3 * i + 2))).join();
        }
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        for (int i = 0; i < 500; i++) {
            long offset = random.nextInt(600);
            PartitionLog.ReadResult r = log.read(offset, 1 + random.nextInt(8192), 1 + random.nextInt(20));
            assertEquals(offset, r.records().get(0).offset());
            assertEquals("x" + offset, new String(r.records().get(0).value(), StandardCharsets.UTF_8));
            for (int k = 0; k < r.records().size(); k++) {
                assertEquals(offset + k, r.records().get(k).offset());
            }
            assertEquals(offset + r.records().size(), r.nextOffset());
        }
        assertEquals(0, log.read(600, 1024, 10).records().size());
        SluiceException e = assertThrows(SluiceException.class, () -> log.read(601, 1024, 10));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, e.code());
    }

    @Test
    void concurrentAppendersAreGroupCommittedWithDenseOffsets() throws Exception {
        PartitionLog log = openLog(smallSegments());
        int threads = 4;
        int perThread = 250;
        List<CompletableFuture<AppendInfo>> futures = new ArrayList<>();
        ExecutorService producers = Executors.newFixedThreadPool(threads);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            done.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < perThread; i++) {
                    CompletableFuture<AppendInfo> f = Appends.committed(log, batch("t" + id + "-" + i));
                    synchronized (futures) {
                        futures.add(f);
                    }
                }
            }, producers));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        producers.shutdown();
        boolean[] seen = new boolean[threads * perThread];
        for (CompletableFuture<AppendInfo> f : futures) {
            AppendInfo info = f.join();
            assertTrue(!seen[(int) info.baseOffset()], "offset given twice: " + info.baseOffset());
            seen[(int) info.baseOffset()] = true;
        }
        assertEquals(threads * perThread, log.logEndOffset());
        assertEquals(threads * perThread, readAll(log, 0).size());
    }

    @Test
    void nothingIsVisibleOrAcknowledgedForAcksAllBeforeItsFsync() throws IOException {
        Queue<Runnable> heldFsyncs = new ConcurrentLinkedQueue<>(); // fsyncs that have not run yet
        PartitionLog log = PartitionLog.open("t-0", dir, LogConfig.defaults(),
                LogRuntime.inMemoryCheckpoints(pool, heldFsyncs::add, clock::get, true));
        open.add(log);
        CompletableFuture<AppendInfo> written = log.appendAsLeader(batch("one"), 0);
        CompletableFuture<AppendInfo> durable = Appends.committed(log, batch("two"));
        await().atMost(Duration.ofSeconds(5)).until(() -> written.isDone() && log.logEndOffset() == 2
                && !heldFsyncs.isEmpty());
        assertEquals(0, log.highWatermark(), "the high watermark is the fsynced end");
        assertTrue(log.read(0, 4096, 10).records().isEmpty(), "no reader sees what is not on disk");
        assertFalse(durable.isDone(), "acks=all waits for the fsync");

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (Runnable fsync; (fsync = heldFsyncs.poll()) != null; ) {
                fsync.run();
            }
            return durable.isDone();
        });
        assertEquals(2, log.highWatermark());
        assertEquals(2, log.read(0, 4096, 10).records().size());
    }

    @Test
    void aTornTailIsTruncatedOnOpenAndAppendsContinueAfterIt() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        fill(log, 50);
        log.close();
        Path segment = dir.resolve("00000000000000000000.log");
        long size = Files.size(segment);
        int lastBatch = batch("v49").limit();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size - lastBatch / 2); // cut the last batch in the middle
        }
        PartitionLog reopened = openLog(LogConfig.defaults());
        assertEquals(49, reopened.logEndOffset());
        assertEquals(size - lastBatch, Files.size(segment));
        List<String> values = readAll(reopened, 0);
        assertEquals(49, values.size());
        assertEquals("v48", values.get(48));
        assertEquals(49, Appends.committed(reopened, batch("new")).join().baseOffset());
    }

    @Test
    void garbageAfterTheLastBatchIsTruncated() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        fill(log, 20);
        log.close();
        Path segment = dir.resolve("00000000000000000000.log");
        long size = Files.size(segment);
        Random random = new Random(SEED);
        byte[] garbage = new byte[777];
        random.nextBytes(garbage);
        Files.write(segment, garbage, StandardOpenOption.APPEND);
        PartitionLog reopened = openLog(LogConfig.defaults());
        assertEquals(20, reopened.logEndOffset());
        assertEquals(size, Files.size(segment));
    }

    @Test
    void aCorruptBatchInTheActiveSegmentIsCutWithEverythingAfterIt() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        fill(log, 30);
        log.close();
        Path segment = dir.resolve("00000000000000000000.log");
        int batchSize = batch("v0").limit();
        flipByte(segment, 25L * batchSize + RecordBatchDescriptor.RECORDS_OFFSET + 2);
        PartitionLog reopened = openLog(LogConfig.defaults());
        assertEquals(25, reopened.logEndOffset(), "batches from the corrupt one on are dropped");
        assertEquals(25, readAll(reopened, 0).size());
    }

    @Test
    void aFlippedByteInAClosedSegmentIsNeverServed() throws IOException {
        PartitionLog log = openLog(smallSegments());
        fill(log, 200);
        assertTrue(log.segmentCount() > 2);
        log.close();
        Path first = dir.resolve("00000000000000000000.log");
        flipByte(first, RecordBatchDescriptor.RECORDS_OFFSET + 3);
        PartitionLog reopened = openLog(smallSegments());
        assertEquals(200, reopened.logEndOffset(), "closed segments are not rescanned on open");
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> reopened.read(0, 4096, 10));
        assertTrue(e.getMessage().contains(first.toString()), e.getMessage());
        long laterSegmentStart = 150;
        assertEquals(laterSegmentStart, reopened.read(laterSegmentStart, 4096, 10).records().get(0).offset());
    }

    @Test
    void missingOrDamagedIndexesAreRebuilt() throws IOException {
        PartitionLog log = openLog(smallSegments());
        fill(log, 300);
        log.close();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> indexes = files.filter(p -> p.toString().endsWith(".index")).sorted().toList();
            Files.delete(indexes.get(0));
            Files.write(indexes.get(1), new byte[] {1, 2, 3}); // ragged and wrong magic
            Files.write(indexes.get(indexes.size() - 1), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        }
        PartitionLog reopened = openLog(smallSegments());
        assertEquals(300, reopened.logEndOffset());
        List<String> values = readAll(reopened, 0);
        assertEquals(300, values.size());
        for (int i = 0; i < 300; i++) {
            assertEquals("v" + i, values.get(i));
        }
        assertEquals(123, reopened.read(123, 100, 1).records().get(0).offset());
    }

    @Test
    void findsOffsetsByTimestamp() throws IOException {
        PartitionLog log = openLog(smallSegments());
        for (int i = 0; i < 300; i++) {
            Appends.committed(log, batchAt(10_000L + 10L * i, "t" + i)).join();
        }
        log.close();
        PartitionLog reopened = openLog(smallSegments());
        assertEquals(0, reopened.offsetForTimestamp(0));
        assertEquals(0, reopened.offsetForTimestamp(10_000));
        assertEquals(1, reopened.offsetForTimestamp(10_001));
        assertEquals(150, reopened.offsetForTimestamp(11_500));
        assertEquals(299, reopened.offsetForTimestamp(12_990));
        assertEquals(300, reopened.offsetForTimestamp(99_999), "past the last timestamp: the log end");
    }

    @Test
    void retentionBySizeDeletesWholeOldSegmentsOnly() throws IOException {
        PartitionLog log = openLog(smallSegments().withRetention(-1, 3 * 4096));
        fill(log, 400);
        int before = log.segmentCount();
        log.maintain().join();
        assertTrue(log.segmentCount() < before, "segments deleted");
        assertTrue(log.sizeInBytes() <= 4 * 4096, "size bound " + log.sizeInBytes());
        long start = log.logStartOffset();
        assertTrue(start > 0);
        assertEquals(start, log.read(start, 1024, 1).records().get(0).offset());
        SluiceException e = assertThrows(SluiceException.class, () -> log.read(start - 1, 1024, 1));
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, e.code());
        assertEquals(400, log.logEndOffset());
    }

    @Test
    void retentionByTimeUsesEachSegmentsNewestTimestampAndKeepsTheActiveSegment() throws IOException {
        PartitionLog log = openLog(smallSegments().withRetention(60_000, -1));
        for (int i = 0; i < 200; i++) {
            Appends.committed(log, batchAt(1_000L * i, "t" + i)).join();
        }
        clock.set(1_000L * 199 + 60_001);
        log.maintain().join();
        assertEquals(1, log.segmentCount(), "only the active segment is left");
        assertEquals(200, log.logEndOffset());
        assertEquals(log.logStartOffset(), log.read(log.logStartOffset(), 1024, 1).records().get(0).offset());
    }

    @Test
    void segmentMsRollsAnIdleActiveSegment() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults().withSegmentMs(10_000));
        fill(log, 5);
        assertEquals(1, log.segmentCount());
        clock.addAndGet(10_001);
        log.maintain().join();
        assertEquals(2, log.segmentCount());
        assertEquals(5, Appends.committed(log, batch("after")).join().baseOffset());
    }

    @Test
    void waitersAreWokenByTheAppendItself() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        AtomicBoolean woken = new AtomicBoolean();
        log.awaitData(0, () -> woken.set(true));
        assertTrue(!woken.get());
        Appends.committed(log, batch("wake")).join();
        await().atMost(Duration.ofSeconds(5)).untilTrue(woken);
        AtomicBoolean immediate = new AtomicBoolean();
        log.awaitData(0, () -> immediate.set(true));
        assertTrue(immediate.get(), "data already there: fires at once");
        AtomicBoolean cancelled = new AtomicBoolean();
        log.awaitData(1, () -> cancelled.set(true)).cancel();
        Appends.committed(log, batch("x")).join();
        assertTrue(!cancelled.get());
    }

    @Test
    void aClosedLogRefusesAppends() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        log.close();
        CompletableFuture<AppendInfo> f = Appends.committed(log, batch("late"));
        SluiceException e = assertThrows(SluiceException.class, () -> {
            try {
                f.join();
            } catch (java.util.concurrent.CompletionException c) {
                throw c.getCause();
            }
        });
        assertEquals(ErrorCode.STORAGE_ERROR, e.code());
    }

    @Test
    void segmentFilesAreKafkaReadable() throws IOException {
        PartitionLog log = openLog(LogConfig.defaults());
        fill(log, 10);
        log.close();
        byte[] bytes = Files.readAllBytes(dir.resolve("00000000000000000000.log"));
        org.apache.kafka.common.record.internal.MemoryRecords records =
                org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
        long expected = 0;
        for (var b : records.batches()) {
            b.ensureValid();
            assertEquals(expected, b.baseOffset());
            for (var r : b) {
                byte[] v = new byte[r.valueSize()];
                r.value().get(v);
                assertArrayEquals(("v" + expected).getBytes(StandardCharsets.UTF_8), v);
                expected++;
            }
        }
        assertEquals(10, expected);
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, position);
        }
    }
}
