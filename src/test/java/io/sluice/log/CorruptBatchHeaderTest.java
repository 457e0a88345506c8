package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.BASE_OFFSET_OFFSET;
import static io.sluice.log.RecordBatchDescriptor.LAST_OFFSET_DELTA_OFFSET;
import static io.sluice.log.RecordBatchDescriptor.LENGTH_OFFSET;
import static io.sluice.log.RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A damaged batch header in a closed segment (closed segments are trusted on open, not rescanned)
 * must make a read that passes over it fail with {@link CorruptRecordException}: not spin forever
 * on a batch that claims zero bytes, not walk to a negative position, not skip offsets silently and
 * not serve records under a base offset the CRC does not cover. Found while writing TornTailIT:
 * before the fix the "0 bytes" cases hung a fetch thread (two such fetches stalled every fetch of the
 * broker), the base offset cases served records at offsets they do not have, and the shrunk delta
 * skipped an offset.
 */
class CorruptBatchHeaderTest {
    private static final int BATCHES = 20;
    private static final int RECORDS_PER_BATCH = 10;
    private static final long FIRST_TIMESTAMP = 1_000;

    @TempDir
    Path dir;
    private ExecutorService pool;
    /** Shared by every open, so a reopen after a clean close finds the recovery point (as a broker does). */
    private LogRuntime runtime;

    @BeforeEach
    void startPools() {
        pool = Executors.newFixedThreadPool(2);
        runtime = LogRuntime.inMemoryCheckpoints(pool, pool, System::currentTimeMillis, false);
    }

    @AfterEach
    void stopPools() {
        pool.shutdownNow();
    }

    static Stream<Arguments> damages() {
        Function<PartitionLog, Object> readAt35 = log -> log.read(35, 1 << 20, 1_000);
        return Stream.of(
                Arguments.of("length claims 0 bytes, read beyond it", 2, LENGTH_OFFSET, 4, -12L, readAt35),
                Arguments.of("negative length, read beyond it", 2, LENGTH_OFFSET, 4, -1_000L, readAt35),
                Arguments.of("zeroed header, read beyond it", 2, 0, RECORD_BATCH_OVERHEAD, 0L, readAt35),
                Arguments.of("base offset moved (not under the CRC), read in it", 0, BASE_OFFSET_OFFSET, 8, 64L,
                        (Function<PartitionLog, Object>) log -> log.read(5, 1 << 20, 1_000)),
                Arguments.of("base offset of the second batch of one read moved", 1, BASE_OFFSET_OFFSET, 8, 74L,
                        (Function<PartitionLog, Object>) log -> log.read(0, 1 << 20, 1_000)),
                // Offsets may have gaps (compaction): a read of the offset the shrunk delta lost moves on to the
                // next batch without serving the damaged one; reading the damaged batch fails on its CRC.
                Arguments.of("last offset delta shrunk, read the batch", 0, LAST_OFFSET_DELTA_OFFSET, 4,
                        (long) RECORDS_PER_BATCH - 2,
                        (Function<PartitionLog, Object>) log -> log.read(0, 1 << 20, 1_000)),
                Arguments.of("length claims 0 bytes, timestamp search beyond it", 2, LENGTH_OFFSET, 4, -12L,
                        (Function<PartitionLog, Object>) log -> log.offsetForTimestamp(FIRST_TIMESTAMP + 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void damagedHeaderInAClosedSegmentIsReportedAsCorrupt(String name, int batch, int field, int length, long value,
            Function<PartitionLog, Object> read) throws IOException {
        writeLog();
        Path closed = dir.resolve(LogSegment.fileStem(0) + LogSegment.LOG_SUFFIX);
        List<Integer> positions = batchPositions(closed);
        assertTrue(positions.size() > 4, "segment 0 should hold several batches: " + positions);
        overwrite(closed, positions.get(batch) + field, length, value);

        try (PartitionLog log = open()) {
            CorruptRecordException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(CorruptRecordException.class, () -> read.apply(log)));
            assertTrue(e.getMessage().contains(closed.toString()), () -> "names the file: " + e.getMessage());
        }
    }

    @Test
    void intactLogReadsBackDenselyFromEveryOffset() throws IOException {
        writeLog();
        try (PartitionLog log = open()) {
            for (long from = 0; from < BATCHES * RECORDS_PER_BATCH; from++) {
                long expected = from;
                long offset = from;
                while (offset < BATCHES * RECORDS_PER_BATCH) {
                    PartitionLog.ReadResult r = log.read(offset, 3_000, 1_000);
                    for (LogRecord rec : r.records()) {
                        assertEquals(expected++, rec.offset());
                    }
                    offset = r.nextOffset();
                }
                assertEquals(BATCHES * RECORDS_PER_BATCH, expected);
            }
            for (int b = 0; b < BATCHES; b++) {
                assertEquals((long) b * RECORDS_PER_BATCH, log.offsetForTimestamp(FIRST_TIMESTAMP + b));
            }
        }
    }

    /** Batch b holds offsets b*10 .. b*10+9, all with timestamp FIRST_TIMESTAMP + b; 4 KiB segments. */
    private void writeLog() {
        try (PartitionLog log = open()) {
            for (int b = 0; b < BATCHES; b++) {
                List<Record> records = new ArrayList<>();
                for (int i = 0; i < RECORDS_PER_BATCH; i++) {
                    byte[] value = ("value-" + b + "-" + i + "-" + "x".repeat(40)).getBytes(StandardCharsets.UTF_8);
                    records.add(new Record(null, value, FIRST_TIMESTAMP + b, List.of()));
                }
                log.appendAsLeader(RecordBatchBuilder.build(records), 0).join();
            }
            assertTrue(log.segmentCount() > 1, "segments should have rolled");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private PartitionLog open() throws IOException {
        return PartitionLog.open("t-0", dir, LogConfig.defaults().withSegmentBytes(4096), runtime);
    }

    private static List<Integer> batchPositions(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file));
        List<Integer> positions = new ArrayList<>();
        for (int at = 0; at < bytes.limit(); at += RecordBatch.sizeAt(bytes, at)) {
            positions.add(at);
        }
        return positions;
    }

    private static void overwrite(Path file, int position, int length, long value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        switch (length) {
            case 4 -> b.putInt(0, (int) value);
            case 8 -> b.putLong(0, value);
            default -> { } // zeros
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(b, position);
        }
    }
}
