package io.sluice.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash during compaction, at every step of the swap and at every storage operation of a pass (the
 * power-loss file system drops whatever was not fsynced): the log reopens readable, every record at
 * its original offset, the latest record of every key still there, no cleaning leftovers; and the next
 * pass compacts it fully.
 */
class CompactionCrashTest {
    private static final long SEED = 20261130L;
    private static final long DAY = 24L * 60 * 60 * 1000;

    @TempDir
    Path root;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(2_000_000_000L);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private static LogConfig config() {
        return LogCleanerTest.compacted(1024, DAY);
    }

    private LogCleaner cleaner() {
        return new LogCleaner(new CleanerConfig(true, 1 << 20, 4096, 0.5, 1000), clock::get);
    }

    @Test
    void aCrashAfterEachStepOfTheSwapLeavesACorrectLogOnReopen() throws IOException {
        for (SegmentSwap.Step crashAt : SegmentSwap.Step.values()) {
            Path dir = root.resolve(crashAt.name());
            CompactionModel model = new CompactionModel(SEED, 30, 0.05);
            PartitionLog log = PartitionLog.open("t-0", dir, config(),
                    LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true));
            model.write(log, 300, clock.get());
            LogCleaner cleaner = cleaner();
            cleaner.onSwapStep(step -> {
                if (step == crashAt) {
                    throw new IOException("crash after " + step);
                }
            });
            assertThrows(Exception.class, () -> cleaner.cleanNow(log), "stopped after " + crashAt);
            closeQuietly(log);

            checkReopened(dir, model, "after " + crashAt);
        }
    }

    @Test
    void aPowerLossAtEveryStorageOperationOfAPassLeavesACorrectLog() throws IOException {
        boolean completed = false;
        for (int k = 0; !completed; k++) {
            assertTrue(k < 400, "a pass should complete without a crash within 400 operations");
            Path dir = root.resolve("k" + k);
            PowerLossStorage storage = new PowerLossStorage();
            CrashingIo io = new CrashingIo(storage);
            LogRuntime runtime = new LogRuntime(pool, pool, clock::get, true, io, new SegmentFileCache(io, 64),
                    RecoveryCheckpoints.inMemory());
            CompactionModel model = new CompactionModel(SEED + 1, 20, 0.05);
            PartitionLog log = PartitionLog.open("t-0", dir, config(), runtime);
            model.write(log, 150, clock.get());
            io.crashAfter(k);
            try {
                LogCleaner.Pass pass = cleaner().cleanNow(log);
                assertTrue(io.crashed() || pass.segmentsReplaced() > 1, "the pass swaps segments: " + pass);
            } catch (IOException | RuntimeException e) {
                assertTrue(io.crashed(), "only the power loss fails the pass: " + e);
            }
            completed = !io.crashed();
            if (completed) {
                System.out.println("a pass took " + k + " storage operations; the power was cut after each");
                storage.powerLoss(); // after the pass: what it made durable must be enough
            }
            closeQuietly(log);
            checkReopened(dir, model, "power lost after " + k + " operations");
        }
    }

    /** Reopens {@code dir} as a restarted broker would, checks it, cleans it again and checks the result exactly. */
    private void checkReopened(Path dir, CompactionModel model, String when) throws IOException {
        try (PartitionLog reopened = PartitionLog.open("t-0", dir, config(),
                LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true))) {
            try (Stream<Path> files = Files.list(dir)) {
                List<Path> leftovers = files.filter(f -> f.toString().endsWith(SegmentSwap.CLEANED_SUFFIX)
                        || f.toString().endsWith(SegmentSwap.SWAP_SUFFIX)).toList();
                assertEquals(List.of(), leftovers, when + ": no cleaning leftovers after open");
            }
            assertEquals(model.written.lastKey() + 1, reopened.logEndOffset(), when);
            model.checkReadable(CompactionModel.readAll(reopened));
            cleaner().cleanNow(reopened);
            List<LogRecord> read = CompactionModel.readAll(reopened);
            model.checkReadable(read);
            assertEquals(model.expectedOffsets(reopened.cleanerState().firstDirty()),
                    read.stream().map(LogRecord::offset).toList(), when + ": compacted fully by the next pass");
        }
    }

    private static void closeQuietly(PartitionLog log) {
        try {
            log.close();
        } catch (UncheckedIOException | IllegalStateException e) {
            // the crashed log: its files are what the test looks at
        }
    }
}
