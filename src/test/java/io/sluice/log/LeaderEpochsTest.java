package io.sluice.log;

import static io.sluice.log.LogFixture.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader-epoch file: what appends record, Kafka's text format, its survival across restarts,
 * its repair (missing, damaged, lagging, or ahead of the log) and {@code endOffsetFor} as Kafka
 * answers it (KIP-279).
 */
class LeaderEpochsTest {
    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final LogRuntime runtime = LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private PartitionLog openLog() throws IOException {
        return PartitionLog.open("t-0", dir, LogConfig.defaults().withSegmentBytes(700), runtime);
    }

    /** Epoch 1 holds offsets 0-9, epoch 3 offsets 10-19, epoch 4 offsets 20-24. */
    private PartitionLog logWithThreeEpochs() throws IOException {
        PartitionLog log = openLog();
        for (int i = 0; i < 25; i++) {
            log.appendAsLeader(batch("v" + i), i < 10 ? 1 : i < 20 ? 3 : 4).join();
        }
        return log;
    }

    private static final List<EpochEntry> THREE_EPOCHS = List.of(new EpochEntry(1, 0), new EpochEntry(3, 10),
            new EpochEntry(4, 20));

    private Path epochFile() {
        return dir.resolve(LeaderEpochFile.FILE_NAME);
    }

    @Test
    void appendsRecordWhereEachEpochStartsInKafkasTextFormat() throws IOException {
        PartitionLog log = logWithThreeEpochs();
        assertEquals(THREE_EPOCHS, log.epochs().entries());
        assertEquals(4, log.epochs().latestEpoch());
        assertEquals("0\n3\n1 0\n3 10\n4 20\n", Files.readString(epochFile(), StandardCharsets.UTF_8));
        log.close();
    }

    @Test
    void endOffsetForAnswersAsKafka() throws IOException {
        PartitionLog log = logWithThreeEpochs();
        LeaderEpochs epochs = log.epochs();
        // Table from Kafka's LeaderEpochFileCache.endOffsetFor (KIP-279).
        assertEquals(EpochEndOffset.UNDEFINED, epochs.endOffsetFor(-1), "undefined asked");
        assertEquals(new EpochEndOffset(0, 0), epochs.endOffsetFor(0), "below the first: the first's start");
        assertEquals(new EpochEndOffset(1, 10), epochs.endOffsetFor(1), "ends where the next starts");
        assertEquals(new EpochEndOffset(1, 10), epochs.endOffsetFor(2), "a gap: the epoch before it");
        assertEquals(new EpochEndOffset(3, 20), epochs.endOffsetFor(3));
        assertEquals(new EpochEndOffset(4, 25), epochs.endOffsetFor(4), "the latest: the log end");
        assertEquals(EpochEndOffset.UNDEFINED, epochs.endOffsetFor(5), "above the latest");
        log.appendAsLeader(batch("more"), 4).join();
        assertEquals(new EpochEndOffset(4, 26), epochs.endOffsetFor(4), "the latest follows the log end");
        log.close();
        PartitionLog empty = PartitionLog.open("t-1", dir.resolve("empty"), LogConfig.defaults(), runtime);
        assertEquals(-1, empty.epochs().latestEpoch());
        assertEquals(EpochEndOffset.UNDEFINED, empty.epochs().endOffsetFor(0));
        empty.close();
    }

    @Test
    void theEpochsSurviveARestart() throws IOException {
        logWithThreeEpochs().close();
        PartitionLog reopened = openLog();
        assertEquals(THREE_EPOCHS, reopened.epochs().entries());
        reopened.close();
    }

    @Test
    void aMissingFileIsRebuiltFromTheBatchHeaders() throws IOException {
        PartitionLog log = logWithThreeEpochs();
        assertTrue(log.segmentCount() > 1, "the rebuild walks every segment");
        log.close();
        Files.delete(epochFile());
        PartitionLog reopened = openLog();
        assertEquals(THREE_EPOCHS, reopened.epochs().entries());
        assertTrue(Files.exists(epochFile()), "written again");
        reopened.close();
    }

    @Test
    void aDamagedFileIsRebuilt() throws IOException {
        logWithThreeEpochs().close();
        Files.writeString(epochFile(), "0\n3\n1 0\nthree ten\n");
        PartitionLog reopened = openLog();
        assertEquals(THREE_EPOCHS, reopened.epochs().entries());
        reopened.close();
    }

    @Test
    void aFileThatLagsTheLogIsRebuiltAndOneAheadOfItIsCut() throws IOException {
        logWithThreeEpochs().close();
        Files.writeString(epochFile(), "0\n1\n1 0\n"); // a write that never reached the disk
        PartitionLog lagging = openLog();
        assertEquals(THREE_EPOCHS, lagging.epochs().entries(), "the last batch's epoch 4 was unknown to the file");
        lagging.close();

        Files.writeString(epochFile(), "0\n5\n1 0\n3 10\n4 20\n6 25\n7 90\n"); // a truncation that did not reach it
        PartitionLog ahead = openLog();
        assertEquals(THREE_EPOCHS, ahead.epochs().entries(), "epochs starting at or past the log end dropped");
        assertEquals("0\n3\n1 0\n3 10\n4 20\n", Files.readString(epochFile(), StandardCharsets.UTF_8));
        ahead.close();
    }

    @Test
    void aLogFromBeforeEpochsGetsItsFileFromTheStampedBatches() throws IOException {
        // Batches of a log written before epochs were kept: the file is absent, the stamp is 0.
        PartitionLog old = openLog();
        for (int i = 0; i < 5; i++) {
            old.appendAsLeader(batch("v" + i), 0).join();
        }
        old.close();
        Files.delete(epochFile());
        PartitionLog reopened = openLog();
        assertEquals(List.of(new EpochEntry(0, 0)), reopened.epochs().entries());
        assertEquals(0, reopened.epochs().latestEpoch());
        reopened.close();
    }

    @Test
    void anEpochFileThatCannotBeWrittenIsKeptInMemoryAndWrittenLater() throws IOException {
        PowerLossStorage storage = new PowerLossStorage();
        LogRuntime failing = new LogRuntime(pool, pool, clock::get, true, storage, new SegmentFileCache(storage, 16),
                RecoveryCheckpoints.inMemory());
        PartitionLog log = PartitionLog.open("t-0", dir, LogConfig.defaults(), failing);
        storage.refuseNewFilesIn(java.util.Set.of(dir)); // EMFILE: the temporary file cannot be created
        log.appendAsLeader(batch("a"), 2).join();
        assertTrue(log.isOnline(), "not a disk failure");
        assertEquals(List.of(new EpochEntry(2, 0)), log.epochs().entries());
        storage.refuseNewFilesIn(java.util.Set.of());
        log.maintain().join();
        assertEquals("0\n1\n2 0\n", Files.readString(epochFile(), StandardCharsets.UTF_8));
        log.close();
    }
}
