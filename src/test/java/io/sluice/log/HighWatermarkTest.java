package io.sluice.log;

import static io.sluice.log.LogFixture.batch;
import static io.sluice.log.LogFixture.readAll;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The high watermark set from outside: readers never see past it, it is clipped to the durable end
 * and to batch boundaries, waiters complete when it reaches them and fail when told or at close,
 * it survives a restart through its checkpoint, and truncation lowers it. The durable end and its
 * listener.
 */
class HighWatermarkTest {
    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000);
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

    private PartitionLog openLog(LogRuntime runtime) throws IOException {
        PartitionLog log = PartitionLog.open("t-0", dir, LogConfig.defaults().withSegmentBytes(1024), runtime);
        open.add(log);
        return log;
    }

    private LogRuntime noFsync() {
        return LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, false);
    }

    /** Appends {@code count} batches of three records each: batch i holds offsets 3i .. 3i+2. */
    private static void appendTriples(PartitionLog log, int from, int count) {
        for (int i = from; i < from + count; i++) {
            log.appendAsLeader(batch("a" + i, "b" + i, "c" + i), 0).join();
        }
    }

    @Test
    void readersNeverSeePastAManagedHighWatermarkAndItStopsAtBatchBoundaries() throws IOException {
        PartitionLog log = openLog(noFsync());
        log.manageHighWatermark();
        appendTriples(log, 0, 20); // offsets 0-59, several segments
        assertTrue(log.segmentCount() > 1);
        assertEquals(60, log.durableEnd(), "without fsync the durable end is the written end");
        assertEquals(0, log.highWatermark(), "written is not committed");
        assertTrue(log.read(0, 1 << 20, 1000).records().isEmpty());

        log.updateHighWatermark(7);
        assertEquals(6, log.highWatermark(), "down to the batch boundary");
        assertEquals(6, readAll(log, 0).size());
        PartitionLog.ReadResult r = log.read(0, 1 << 20, 1000);
        assertEquals(6, r.highWatermark());
        assertTrue(r.records().stream().allMatch(rec -> rec.offset() < 6));

        log.updateHighWatermark(3);
        assertEquals(6, log.highWatermark(), "a lower watermark is ignored");
        log.updateHighWatermark(1_000);
        assertEquals(60, log.highWatermark(), "clipped to the durable end");
        assertEquals(60, readAll(log, 0).size());
        appendTriples(log, 20, 1);
        assertEquals(63, log.highWatermark(), "offsets below the requested watermark are committed once durable here");
        assertEquals(63, readAll(log, 0).size());
    }

    @Test
    void aManagedHighWatermarkWaitsForTheFsync() throws IOException {
        Queue<Runnable> heldFsyncs = new ConcurrentLinkedQueue<>();
        PartitionLog log = openLog(LogRuntime.inMemoryCheckpoints(pool, heldFsyncs::add, clock::get, true));
        log.manageHighWatermark();
        List<Long> reported = new CopyOnWriteArrayList<>();
        log.onDurableAdvance(reported::add);
        appendTriples(log, 0, 2);
        log.updateHighWatermark(6);
        assertEquals(0, log.highWatermark(), "not above what this replica has fsynced");
        assertEquals(0, log.durableEnd());
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (Runnable fsync; (fsync = heldFsyncs.poll()) != null; ) {
                fsync.run();
            }
            return log.durableEnd() == 6;
        });
        assertEquals(6, log.highWatermark(), "rises once the fsync lands");
        assertEquals(6L, reported.get(reported.size() - 1), "the listener heard the durable end");
        assertTrue(reported.stream().allMatch(v -> v > 0 && v <= 6));
    }

    @Test
    void awaitHighWatermarkCompletesWhenReachedAndFailsWhenToldOrClosed() throws IOException {
        PartitionLog log = openLog(noFsync());
        log.manageHighWatermark();
        appendTriples(log, 0, 4);
        CompletableFuture<Void> atSix = log.awaitHighWatermark(6);
        CompletableFuture<Void> atTwelve = log.awaitHighWatermark(12);
        assertTrue(log.awaitHighWatermark(0).isDone(), "already reached");
        AtomicBoolean woken = new AtomicBoolean();
        log.awaitData(0, () -> woken.set(true));
        log.updateHighWatermark(6);
        assertTrue(atSix.isDone() && !atSix.isCompletedExceptionally());
        assertTrue(woken.get(), "a parked reader is woken by the new watermark");
        assertFalse(atTwelve.isDone());

        log.failHighWatermarkWaiters(() -> new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "not leader"));
        CompletionException e = assertThrows(CompletionException.class, atTwelve::join);
        assertEquals(ErrorCode.LEADER_NOT_AVAILABLE, ((SluiceException) e.getCause()).code());

        CompletableFuture<Void> pending = log.awaitHighWatermark(12);
        log.close();
        e = assertThrows(CompletionException.class, pending::join);
        assertEquals(ErrorCode.STORAGE_ERROR, ((SluiceException) e.getCause()).code());
        assertTrue(log.awaitHighWatermark(100).isCompletedExceptionally(), "a closed log takes no waiter");
    }

    @Test
    void theAutomaticHighWatermarkIsTheDurableEndAndAcksAllWaitsForIt() throws IOException {
        PartitionLog log = openLog(LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true));
        PartitionLog.AppendInfo info = Appends.committed(log, batch("x", "y")).join();
        assertEquals(2, log.highWatermark());
        assertEquals(log.durableEnd(), log.highWatermark());
        assertEquals(1, info.lastOffset());
        assertThrows(IllegalStateException.class, () -> log.updateHighWatermark(5), "not managed");
    }

    @Test
    void theManagedHighWatermarkIsCheckpointedAndRestoredOnOpen() throws IOException {
        Path dataDir = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-data"));
        RecoveryCheckpoints checkpoints = RecoveryCheckpoints.load(StorageIo.DEFAULT, dataDir);
        LogRuntime runtime = new LogRuntime(pool, pool, clock::get, false, StorageIo.DEFAULT,
                new SegmentFileCache(StorageIo.DEFAULT, 16), checkpoints);
        PartitionLog log = openLog(runtime);
        log.manageHighWatermark();
        appendTriples(log, 0, 10);
        log.updateHighWatermark(13);
        assertEquals(12, log.highWatermark());
        log.close();
        checkpoints.write(); // the broker writes both files at shutdown and on maintenance
        assertEquals(Map.of("t-0", 12L), RecoveryCheckpoints.readHighWatermarks(dataDir.resolve(
                RecoveryCheckpoints.HW_FILE_NAME)));

        RecoveryCheckpoints reloaded = RecoveryCheckpoints.load(StorageIo.DEFAULT, dataDir);
        PartitionLog reopened = openLog(new LogRuntime(pool, pool, clock::get, false, StorageIo.DEFAULT,
                new SegmentFileCache(StorageIo.DEFAULT, 16), reloaded));
        assertEquals(30, reopened.highWatermark(), "automatic until managed: the durable end");
        reopened.manageHighWatermark();
        assertEquals(12, reopened.highWatermark(), "the checkpointed watermark, not the log end");
        assertEquals(12, readAll(reopened, 0).size());
        reopened.updateHighWatermark(30);
        assertEquals(30, reopened.highWatermark(), "the tail above it was found again on open");
    }

    @Test
    void truncationLowersTheHighWatermarkAndTheRequestWithIt() throws IOException {
        PartitionLog log = openLog(noFsync());
        log.manageHighWatermark();
        appendTriples(log, 0, 10);
        log.updateHighWatermark(24);
        log.truncateTo(15).join();
        assertEquals(15, log.logEndOffset());
        assertEquals(15, log.highWatermark());
        assertEquals(15, readAll(log, 0).size());
        appendTriples(log, 100, 3); // offsets 15-23, new data
        assertEquals(15, log.highWatermark(), "the old request does not commit new data");
        log.updateHighWatermark(21);
        assertEquals(21, log.highWatermark());
    }
}
