package io.sluice.log;

import static io.sluice.log.LogFixture.batch;
import static io.sluice.log.LogFixture.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncation: across segments and inside a batch, then appends again; emptying a log to start
 * elsewhere; and the power going at every step of a truncation, after which the log recovers to
 * a dense prefix whose epoch file agrees with it.
 */
class TruncateTest {
    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final LogRuntime runtime = LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static LogConfig smallSegments() {
        return LogConfig.defaults().withSegmentBytes(4096);
    }

    private static List<String> values(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).toList();
    }

    /** One-record batches "v0".."v{count-1}": epoch 0 up to offset 49, epoch 1 from 50. */
    private static void fillWithEpochs(PartitionLog log, int count) {
        for (int i = 0; i < count; i++) {
            log.appendAsLeader(batch("v" + i), i < 50 ? 0 : 1).join();
        }
    }

    @Test
    void truncateAcrossSegmentsThenAppendAgainAndReopen() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(), runtime);
        fillWithEpochs(log, 300);
        org.awaitility.Awaitility.await().until(() -> log.highWatermark() == 300);
        int segmentsBefore = log.segmentCount();
        assertTrue(segmentsBefore > 3, "segments: " + segmentsBefore);

        log.truncateTo(37).join();
        assertEquals(37, log.logEndOffset());
        assertEquals(37, log.highWatermark(), "the high watermark comes down to the cut");
        assertEquals(37, log.durableEnd());
        assertTrue(log.segmentCount() < segmentsBefore);
        assertEquals(values("v", 0, 37), readAll(log, 0));
        assertEquals(List.of(new EpochEntry(0, 0)), log.epochs().entries(), "epoch 1 started past the cut");
        assertEquals(LogFixture.segmentFiles(dir).size(), log.segmentCount(), "deleted segments' files are gone");

        for (int i = 0; i < 10; i++) {
            assertEquals(37 + i, Appends.committed(log, batch("n" + i), 2).join().baseOffset());
        }
        List<String> expected = new ArrayList<>(values("v", 0, 37));
        expected.addAll(values("n", 0, 10));
        assertEquals(expected, readAll(log, 0));
        log.close();

        PartitionLog reopened = PartitionLog.open("t-0", dir, smallSegments(), runtime);
        assertEquals(47, reopened.logEndOffset());
        assertEquals(expected, readAll(reopened, 0));
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 37)), reopened.epochs().entries());
        reopened.close();
    }

    @Test
    void anOffsetInsideABatchCutsAtTheStartOfThatBatch() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, LogConfig.defaults(), runtime);
        for (int i = 0; i < 5; i++) {
            Appends.committed(log, batch("a" + i, "b" + i, "c" + i)).join(); // offsets 3i .. 3i+2
        }
        log.truncateTo(7).join();
        assertEquals(6, log.logEndOffset(), "the batch holding 7 starts at 6");
        assertEquals(List.of("a0", "b0", "c0", "a1", "b1", "c1"), readAll(log, 0));
        log.truncateTo(100).join();
        assertEquals(6, log.logEndOffset(), "at or past the end nothing happens");
        assertEquals(6, Appends.committed(log, batch("x")).join().baseOffset());
        log.close();
    }

    @Test
    void truncateFullyStartsAnEmptyLogElsewhere() throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(), runtime);
        fillWithEpochs(log, 80);
        log.truncateFullyAndStartAt(500).join();
        assertEquals(500, log.logStartOffset());
        assertEquals(500, log.logEndOffset());
        assertEquals(500, log.highWatermark());
        assertEquals(1, log.segmentCount());
        assertEquals(List.of(), log.epochs().entries());

        assertEquals(502, (long) log.appendAsFollower(RecordBatchBuilder.build(500L, 7, List.of(
                new Record(null, "f0".getBytes(), 1_000, List.of()), new Record(null, "f1".getBytes(), 1_000,
                        List.of())))).join());
        org.awaitility.Awaitility.await().until(() -> log.highWatermark() == 502);
        assertEquals(List.of("f0", "f1"), readAll(log, 500));
        assertEquals(List.of(new EpochEntry(7, 500)), log.epochs().entries());
        log.close();

        PartitionLog reopened = PartitionLog.open("t-0", dir, smallSegments(), runtime);
        assertEquals(500, reopened.logStartOffset());
        assertEquals(502, reopened.logEndOffset());
        assertEquals(List.of(new EpochEntry(7, 500)), reopened.epochs().entries());
        reopened.close();
    }

    @Test
    void readersDuringTruncationsSeeOnlyWholeDenseLogs() throws Exception {
        PartitionLog log = PartitionLog.open("t-0", dir, smallSegments(), runtime);
        fillWithEpochs(log, 200);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                PartitionLog.ReadResult r = log.read(0, 1 << 20, 10_000); // CRC-checked, dense: throws otherwise
                for (int i = 0; i < r.records().size(); i++) {
                    assertEquals(i, r.records().get(i).offset());
                }
                reads.incrementAndGet();
            }
        });
        for (int round = 0; round < 20; round++) {
            log.truncateTo(100 + round).join();
            for (int i = 0; i < 30; i++) {
                Appends.committed(log, batch("r" + round + "-" + i), 2 + round).join();
            }
        }
        stop.set(true);
        reader.get(30, TimeUnit.SECONDS);
        assertTrue(reads.get() > 0);
        assertEquals(149, log.logEndOffset());
        log.close();
    }

    /**
     * The power goes after the k-th storage operation of a truncation, for every k until the
     * truncation gets through: unsynced bytes and directory entries are lost. Reopened, the log
     * is always a dense prefix of what it held (cut or not), and its epochs never start past its end.
     */
    @Test
    void aPowerLossAtAnyStepOfATruncationLeavesALogThatRecovers() throws IOException {
        boolean completed = false;
        for (int k = 1; !completed && k < 60; k++) {
            Path logDir = dir.resolve("k" + k);
            Path dataDir = dir.resolve("data" + k);
            PowerLossStorage storage = new PowerLossStorage();
            CrashingIo io = new CrashingIo(storage);
            storage.createDirectories(dataDir);
            RecoveryCheckpoints checkpoints = RecoveryCheckpoints.load(io, dataDir);
            LogRuntime crashing = new LogRuntime(pool, pool, clock::get, true, io, new SegmentFileCache(io, 16),
                    checkpoints);
            PartitionLog log = PartitionLog.open("t-0", logDir, smallSegments(), crashing);
            for (int i = 0; i < 100; i++) {
                Appends.committed(log, batch("v" + i), i < 50 ? 0 : 1).join();
            }
            checkpoints.write(); // as the broker does periodically
            io.crashAfter(k);
            try {
                log.truncateTo(12).join();
                completed = !io.crashed();
            } catch (RuntimeException e) {
                assertTrue(io.crashed(), "only the power cut fails the truncation: " + e);
            }
            if (!io.crashed()) {
                io.crashAfter(0);
            }

            PartitionLog recovered = PartitionLog.open("t-0", logDir, smallSegments(), new LogRuntime(pool, pool,
                    clock::get, true, StorageIo.DEFAULT, new SegmentFileCache(StorageIo.DEFAULT, 16),
                    RecoveryCheckpoints.load(StorageIo.DEFAULT, dataDir)));
            long end = recovered.logEndOffset();
            assertTrue(end == 12 || end == 100 || end > 12 && end < 100, "k=" + k + " end=" + end);
            assertTrue(end >= 12, "k=" + k + ": nothing below the cut is lost, end=" + end);
            assertEquals(values("v", 0, (int) end), readAll(recovered, 0), "k=" + k);
            for (EpochEntry e : recovered.epochs().entries()) {
                assertTrue(e.startOffset() < end, "k=" + k + ": " + e + " past end " + end);
            }
            assertEquals(end > 50 ? 1 : 0, recovered.epochs().latestEpoch(), "k=" + k + " end=" + end);
            recovered.close();
            System.out.println("power cut after operation " + k + ": recovered end " + end);
        }
        assertTrue(completed, "the truncation got through once the power stayed on");
    }
}
