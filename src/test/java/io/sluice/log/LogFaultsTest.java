package io.sluice.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The log under faults: recovery from the recovery point after an unclean stop, a roll that cannot
 * create its file (EMFILE), an fsync that fails at close, and the descriptors a log holds.
 */
class LogFaultsTest {
    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final PowerLossStorage storage = new PowerLossStorage();

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private LogRuntime runtime(RecoveryCheckpoints checkpoints, int maxOpenFiles, boolean fsync) {
        return new LogRuntime(pool, pool, clock::get, fsync, storage, new SegmentFileCache(storage, maxOpenFiles),
                checkpoints);
    }

    private static LogConfig smallSegments() {
        return LogConfig.defaults().withSegmentBytes(4096);
    }

    private static ByteBuffer batch(String value) {
        return RecordBatchBuilder.build(List.of(new Record(null, value.getBytes(StandardCharsets.UTF_8), 1_000,
                List.of())));
    }

    private static void fill(PartitionLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            Appends.committed(log, batch("v" + i)).join();
        }
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    @Test
    void afterAnUncleanStopEverySegmentFromTheRecoveryPointOnIsCrcChecked() throws IOException {
        Path dataDir = dir.resolveSibling(dir.getFileName() + "-data");
        Files.createDirectories(dataDir);
        RecoveryCheckpoints checkpoints = RecoveryCheckpoints.load(storage, dataDir);
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(), runtime(checkpoints, 16, true));
        fill(log, 0, 20);
        checkpoints.write(); // the recovery point is in the first segment
        fill(log, 20, 180);
        assertTrue(segmentFiles().size() > 3, "segments rolled");
        // The broker dies here: no close, no later checkpoint. Damage a closed segment after the point.
        Path second = segmentFiles().get(1);
        long secondBase = Long.parseLong(second.getFileName().toString().replace(".log", ""));
        int batchSize = batch("v0").limit();
        flipByte(second, 2L * batchSize + RecordBatchDescriptor.RECORDS_OFFSET + 1);

        PartitionLog reopened = PartitionLog.open("t-0", dir, smallSegments(),
                runtime(RecoveryCheckpoints.load(StorageIo.DEFAULT, dataDir), 16, true));
        assertEquals(secondBase + 2, reopened.logEndOffset(), "cut at the corrupt batch, not served later");
        assertEquals(2, reopened.segmentCount());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.toString().endsWith(".log" + LogLoader.SET_ASIDE_SUFFIX)),
                    "the segments after the cut are set aside, not deleted");
        }
        assertEquals(secondBase + 2, Appends.committed(reopened, batch("next")).join().baseOffset());
        reopened.close();
        log.close();
    }

    @Test
    void aRollThatCannotCreateItsFileKeepsThePartitionOnlineAndRetries() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(),
                runtime(RecoveryCheckpoints.inMemory(), 16, true));
        storage.refuseNewFilesIn(Set.of(dir));
        fill(log, 0, 100);
        assertTrue(log.isOnline(), "EMFILE on roll is not a disk failure");
        assertEquals(1, log.segmentCount());
        assertTrue(log.sizeInBytes() > 4096, "appends went on in the current segment");

        storage.refuseNewFilesIn(Set.of());
        fill(log, 100, 1);
        assertEquals(1, log.segmentCount(), "no new attempt before the retry delay");
        clock.addAndGet(LogSegments.ROLL_RETRY_MS);
        fill(log, 101, 1);
        assertEquals(2, log.segmentCount(), "rolled once the file could be created");
        assertEquals(102, log.highWatermark());
        assertEquals("v0", new String(log.read(0, 100, 1).records().get(0).value(), StandardCharsets.UTF_8));
        log.close();
    }

    @Test
    void maintenanceReportsARollThatFailedWithoutTakingTheLogOffline() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, LogConfig.defaults().withSegmentMs(10_000),
                runtime(RecoveryCheckpoints.inMemory(), 16, true));
        fill(log, 0, 3);
        clock.addAndGet(10_001);
        storage.refuseNewFilesIn(Set.of(dir));
        CompletionException e = assertThrows(CompletionException.class, () -> log.maintain().join());
        assertTrue(e.getCause() instanceof UncheckedIOException, e.toString());
        assertTrue(log.isOnline());
        storage.refuseNewFilesIn(Set.of());
        clock.addAndGet(LogSegments.ROLL_RETRY_MS);
        log.maintain().join();
        assertEquals(2, log.segmentCount());
        log.close();
    }

    @Test
    void closeClosesEveryFileEvenWhenTheFinalFlushFails() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(),
                runtime(RecoveryCheckpoints.inMemory(), 16, false));
        for (int i = 0; i < 100; i++) {
            log.appendAsLeader(batch("v" + i), 0).join();
        }
        log.read(0, 100, 1); // opens a closed segment's file through the cache
        assertTrue(storage.openChannels() >= 2, "active and one closed segment open: " + storage.openChannels());
        storage.failFsyncs(true);
        assertThrows(UncheckedIOException.class, log::close);
        assertEquals(0, storage.openChannels(), "every file closed although the flush failed");
    }

    @Test
    void aLogHoldsOnlyItsActiveSegmentOpenAndReadersStayWithinTheBound() throws IOException {
        RecoveryCheckpoints checkpoints = RecoveryCheckpoints.inMemory();
        List<PartitionLog> logs = new ArrayList<>();
        for (int p = 0; p < 5; p++) {
            PartitionLog log = PartitionLog.open("t-" + p, dir.resolve("t-" + p), smallSegments(),
                    runtime(checkpoints, 3, true));
            fill(log, 0, 300);
            log.close();
        }
        assertEquals(0, storage.openChannels());
        LogRuntime reopen = runtime(checkpoints, 3, true);
        for (int p = 0; p < 5; p++) {
            logs.add(PartitionLog.open("t-" + p, dir.resolve("t-" + p), smallSegments(), reopen));
        }
        assertEquals(5, storage.openChannels(), "one file per partition: its active segment");
        for (PartitionLog log : logs) {
            assertTrue(log.segmentCount() > 3);
            for (long offset = 0; offset < log.highWatermark(); offset = log.read(offset, 1 << 16, 1000).nextOffset()) {
                assertTrue(reopen.openFiles().openFiles() <= 3, "closed segments' files within the bound");
            }
        }
        assertEquals(3, reopen.openFiles().openFiles());
        assertEquals(5 + 3, storage.openChannels());
        logs.forEach(PartitionLog::close);
    }

    @Test
    void outOfDescriptorsAReadClosesIdleFilesAndOtherwiseAsksTheClientToRetry() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(), runtime(RecoveryCheckpoints.inMemory(), 1,
                true));
        fill(log, 0, 300);
        assertTrue(log.segmentCount() > 3);
        log.read(0, 100, 1); // the first closed segment's file is now the one open and idle
        storage.failNextOpens(1);
        assertEquals(150, log.read(150, 100, 1).records().get(0).offset(), "idle files closed, second open worked");
        storage.failNextOpens(2);
        SluiceException e = assertThrows(SluiceException.class, () -> log.read(0, 100, 1));
        assertEquals(ErrorCode.BROKER_BUSY, e.code(), "EMFILE is retryable, not a storage failure");
        assertTrue(log.isOnline());
        assertEquals(0, log.read(0, 100, 1).records().get(0).offset());
        log.close();
    }

    @Test
    void aCheckpointFileRoundTripsAndADamagedOneIsIgnored() throws IOException {
        RecoveryPoint point = new RecoveryPoint(100, 4096, 180, 4000, 0xFFFF_FFF0L, 1_234, 150);
        ByteBuffer encoded = RecoveryCheckpoints.encode(Map.of("orders-7", point));
        assertEquals(Map.of("orders-7", point), RecoveryCheckpoints.decode(encoded.duplicate()));
        Files.write(dir.resolve(RecoveryCheckpoints.FILE_NAME), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                14, 15, 16});
        RecoveryCheckpoints damaged = RecoveryCheckpoints.load(StorageIo.DEFAULT, dir);
        assertEquals(null, damaged.claim("orders-7"));
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
