package io.sluice.log;

import static io.sluice.log.CompactionModel.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of one log against a model: what a reader from offset 0 sees afterwards, tombstones over
 * time, the active segment, merged segments, a full key map, and a log reopened after cleaning.
 */
class LogCleanerTest {
    private static final long SEED = 20261129L;
    private static final long DAY = 24L * 60 * 60 * 1000;

    @TempDir
    Path dir;

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    private LogRuntime runtime() {
        return LogRuntime.inMemoryCheckpoints(pool, pool, clock::get, true);
    }

    static LogConfig compacted(int segmentBytes, long deleteRetentionMs) {
        return LogConfig.defaults().withSegmentBytes(segmentBytes).withRetention(-1, -1)
                .withCompaction(true, deleteRetentionMs);
    }

    private LogCleaner cleaner(long mapBytes) {
        return new LogCleaner(new CleanerConfig(true, mapBytes, 4096, 0.5, 1000), clock::get);
    }

    @Test
    void aReaderFromZeroSeesTheLatestValueOfEveryKeyAtItsOriginalOffset() throws IOException {
        System.out.println("seed=" + SEED);
        CompactionModel model = new CompactionModel(SEED, 40, 0.05);
        LogRuntime runtime = runtime();
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(2048, DAY), runtime)) {
            LogCleaner cleaner = cleaner(1 << 20);
            for (int round = 0; round < 5; round++) {
                model.write(log, 400, clock.get());
                int before = log.segmentCount();
                LogCleaner.Pass pass = cleaner.cleanNow(log);
                assertTrue(pass.ran() && pass.recordsRemoved() > 0, "round " + round + ": " + pass);
                long cleanedUpTo = log.cleanerState().firstDirty();
                List<LogRecord> read = CompactionModel.readAll(log);
                assertEquals(model.expectedOffsets(cleanedUpTo), read.stream().map(LogRecord::offset).toList(),
                        "round " + round + " cleaned up to " + cleanedUpTo);
                model.checkReadable(read);
                assertTrue(round == 0 || log.segmentCount() < before, "small cleaned segments were merged: " + before + " -> "
                        + log.segmentCount());
            }
        }
        // Reopened from disk (indexes, gaps, the cleaner's checkpoint): the same records.
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(2048, DAY), runtime())) {
            List<LogRecord> read = CompactionModel.readAll(log);
            assertEquals(model.expectedOffsets(log.cleanerState().firstDirty()),
                    read.stream().map(LogRecord::offset).toList());
            model.checkReadable(read);
            for (long offset : model.written.keySet()) {
                PartitionLog.ReadResult r = log.read(offset, 1024, 1); // inside a gap: the next record after it
                assertTrue(r.records().isEmpty() || r.records().get(0).offset() >= offset);
                assertTrue(r.nextOffset() > offset);
            }
        }
    }

    @Test
    void aFollowerCopiesACompactedLeaderGapsIncludedAndServesTheSameRecords() throws IOException {
        CompactionModel model = new CompactionModel(SEED + 2, 15, 0.05);
        try (PartitionLog leader = PartitionLog.open("t-0", dir.resolve("leader"), compacted(2048, DAY), runtime());
                PartitionLog follower = PartitionLog.open("t-0", dir.resolve("follower"), compacted(2048, DAY),
                        runtime())) {
            model.write(leader, 500, clock.get());
            cleaner(1 << 20).cleanNow(leader);
            LogFixture.replicate(leader, follower, 700);
            follower.awaitHighWatermark(leader.logEndOffset()).join();
            List<LogRecord> fromLeader = CompactionModel.readAll(leader);
            List<LogRecord> fromFollower = CompactionModel.readAll(follower);
            assertEquals(fromLeader.stream().map(LogRecord::offset).toList(),
                    fromFollower.stream().map(LogRecord::offset).toList());
            model.checkReadable(fromFollower);
            assertTrue(fromFollower.size() < 500);
            model.write(leader, 100, clock.get()); // the follower goes on from its end, past the leader's gaps
            LogFixture.replicate(leader, follower, 700);
            assertEquals(leader.logEndOffset(), follower.logEndOffset());
        }
    }

    @Test
    void aTieredCompactedSegmentIsOfferedForUploadOnlyOnceCleanedAndNeverRewrittenAfter() throws IOException {
        List<ClosedSegment> offeredAtRoll = new ArrayList<>();
        SegmentTiering tiering = new SegmentTiering() {
            @Override
            public void onSegmentClosed(ClosedSegment segment) {
                offeredAtRoll.add(segment);
            }

            @Override
            public boolean isUploaded(long baseOffset, long nextOffset) {
                return false;
            }
        };
        LogConfig tiered = compacted(1024, DAY).withRemoteStorage(true, -2, -2);
        CompactionModel model = new CompactionModel(SEED + 3, 10, 0.0);
        try (PartitionLog log = PartitionLog.open("t-0", dir, tiered, runtime(), tiering, 0)) {
            model.write(log, 200, clock.get());
            assertEquals(List.of(), offeredAtRoll, "a dirty segment is not handed to the uploader at its roll");
            assertEquals(List.of(), log.closedSegments(), "nor at maintenance before the cleaner passed it");
            LogCleaner cleaner = cleaner(1 << 20);
            cleaner.cleanNow(log);
            List<ClosedSegment> uploadable = log.closedSegments();
            assertTrue(!uploadable.isEmpty(), "cleaned segments go up");
            List<byte[]> before = new ArrayList<>();
            for (ClosedSegment c : uploadable) {
                assertTrue(c.nextOffset() <= log.cleanerState().firstDirty());
                before.add(Files.readAllBytes(c.logFile()));
            }
            model.write(log, 200, clock.get());
            cleaner.cleanNow(log);
            for (int i = 0; i < uploadable.size(); i++) {
                assertArrayEquals(before.get(i), Files.readAllBytes(uploadable.get(i).logFile()),
                        "a segment offered for upload is never rewritten");
            }
            model.checkReadable(CompactionModel.readAll(log));
        }
    }

    @Test
    void readersDuringCleaningPassesNeverFailAndNeverSeeAWrongRecord() throws Exception {
        CompactionModel model = new CompactionModel(SEED + 4, 20, 0.05);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(2048, DAY), runtime())) {
            model.write(log, 200, clock.get());
            ExecutorService readerThread = Executors.newSingleThreadExecutor();
            Future<?> reader = readerThread.submit(() -> {
                while (!stop.get()) {
                    long limit = model.written.lastKey() + 1; // every offset below it is in the model
                    long next = log.logStartOffset();
                    while (next < Math.min(limit, log.highWatermark())) {
                        PartitionLog.ReadResult r = log.read(next, 1024, 50);
                        assertTrue(r.nextOffset() > next, "a read at " + next + " moved on");
                        for (LogRecord rec : r.records()) {
                            if (rec.offset() < limit) {
                                Record w = model.written.get(rec.offset());
                                assertArrayEquals(w.key(), rec.key(), "key at " + rec.offset());
                                assertArrayEquals(w.value(), rec.value(), "value at " + rec.offset());
                            }
                        }
                        next = r.nextOffset();
                        reads.incrementAndGet();
                    }
                }
                return null;
            });
            LogCleaner cleaner = cleaner(1 << 20);
            for (int round = 0; round < 15; round++) {
                model.write(log, 100, clock.get());
                cleaner.cleanNow(log);
            }
            stop.set(true);
            reader.get(60, TimeUnit.SECONDS); // rethrows what the reader met
            readerThread.shutdown();
            assertTrue(reads.get() > 0);
            model.checkReadable(CompactionModel.readAll(log));
        }
    }

    @Test
    void aSmallKeyMapCleansInSeveralPassesAndLosesNothing() throws IOException {
        CompactionModel model = new CompactionModel(SEED + 1, 500, 0.0);
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(4096, DAY), runtime())) {
            model.write(log, 3000, clock.get());
            LogCleaner cleaner = cleaner(OffsetMap.ENTRY_BYTES * 200L); // 180 keys per pass
            long previous = -1;
            for (int pass = 0; pass < 40 && log.cleanerState().firstDirty() > previous; pass++) {
                previous = log.cleanerState().firstDirty();
                cleaner.cleanNow(log);
                List<LogRecord> read = CompactionModel.readAll(log);
                model.checkReadable(read);
                assertEquals(model.expectedOffsets(log.cleanerState().firstDirty()),
                        read.stream().map(LogRecord::offset).toList());
            }
        }
    }

    @Test
    void tombstonesAreKeptForDeleteRetentionAfterTheirFirstCleaningThenRemoved() throws IOException {
        long retention = 60_000;
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(1024, retention), runtime())) {
            LogCleaner cleaner = cleaner(1 << 20);
            append(log, "gone", "v1");
            append(log, "gone", null);
            append(log, "stays", "s1");
            for (int i = 0; i < 60; i++) {
                append(log, "filler" + i, "x".repeat(40)); // rolls several segments past the tombstone
            }
            cleaner.cleanNow(log);
            assertEquals(List.of("tombstone"), valuesOf(log, "gone"), "the tombstone outlives the value it deletes");
            clock.addAndGet(retention - 1);
            cleaner.cleanNow(log);
            assertEquals(List.of("tombstone"), valuesOf(log, "gone"), "kept for delete.retention.ms");
            clock.addAndGet(2);
            assertTrue(log.cleanerState().tombstonesDue(clock.get(), retention), "a pass is due for the tombstone");
            cleaner.cleanNow(log);
            assertEquals(List.of(), valuesOf(log, "gone"), "removed after delete.retention.ms");
            assertEquals(List.of("s1"), valuesOf(log, "stays"));
            assertFalse(log.cleanerState().tombstonesDue(clock.get(), retention));
        }
    }

    @Test
    void theActiveSegmentIsNeverCompacted() throws IOException {
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(1024 * 1024, DAY), runtime())) {
            for (int i = 0; i < 200; i++) {
                append(log, "same", "v" + i);
            }
            Path active = LogFixture.segmentFiles(dir).get(0);
            byte[] before = Files.readAllBytes(active);
            LogCleaner.Pass pass = cleaner(1 << 20).cleanNow(log);
            assertFalse(pass.ran(), "nothing but the active segment: nothing to clean");
            assertArrayEquals(before, Files.readAllBytes(active));
            assertEquals(200, CompactionModel.readAll(log).size());
        }
        try (PartitionLog log = PartitionLog.open("t-1", dir.resolve("b"), compacted(2048, DAY), runtime())) {
            for (int i = 0; i < 300; i++) {
                append(log, "same", "v" + i);
            }
            List<Path> files = LogFixture.segmentFiles(dir.resolve("b"));
            Path active = files.get(files.size() - 1);
            byte[] before = Files.readAllBytes(active);
            cleaner(1 << 20).cleanNow(log);
            assertArrayEquals(before, Files.readAllBytes(active), "the active segment's bytes are untouched");
            List<LogRecord> read = CompactionModel.readAll(log);
            assertEquals("v299", new String(read.get(read.size() - 1).value()));
            assertTrue(read.size() < 300);
        }
    }

    @Test
    void aReaderWhereEverythingBeforeTheActiveSegmentWasCompactedAwayMovesOn() throws IOException {
        try (PartitionLog log = PartitionLog.open("t-0", dir, compacted(1024, DAY), runtime())) {
            for (int i = 0; i < 100; i++) {
                append(log, "k", "v" + i);
            }
            cleaner(1 << 20).cleanNow(log);
            List<LogRecord> read = CompactionModel.readAll(log);
            assertTrue(read.size() < 100);
            PartitionLog.ReadResult first = log.read(0, 1024, 100);
            assertTrue(first.nextOffset() > 0, "a read in a gap moves past it: " + first);
            assertEquals("v99", new String(read.get(read.size() - 1).value()));
        }
    }

    @Test
    void compactDeleteAlsoDeletesByRetentionWhileCompactAloneNever() throws IOException {
        LogConfig compactOnly = compacted(1024, DAY);
        LogConfig compactDelete = compacted(1024, DAY).withRetention(1000, -1);
        try (PartitionLog keep = PartitionLog.open("a-0", dir.resolve("a"), compactOnly, runtime());
                PartitionLog drop = PartitionLog.open("b-0", dir.resolve("b"), compactDelete, runtime())) {
            for (int i = 0; i < 60; i++) {
                append(keep, "k" + i, "x".repeat(40));
                append(drop, "k" + i, "x".repeat(40));
            }
            clock.addAndGet(DAY);
            keep.maintain().join();
            drop.maintain().join();
            assertEquals(0, keep.logStartOffset(), "compact alone never deletes by retention");
            assertTrue(drop.logStartOffset() > 0, "compact,delete applies retention.ms too");
        }
    }

    private void append(PartitionLog log, String key, String value) {
        Appends.committed(log, RecordBatchBuilder.build(List.of(new Record(utf8(key),
                value == null ? null : utf8(value), clock.get(), List.of())))).join();
    }

    /** The values of {@code key} a reader from 0 sees, "tombstone" for a null. */
    private static List<String> valuesOf(PartitionLog log, String key) {
        List<String> values = new ArrayList<>();
        for (LogRecord r : CompactionModel.readAll(log)) {
            if (new String(r.key()).equals(key)) {
                values.add(r.value() == null ? "tombstone" : new String(r.value()));
            }
        }
        return values;
    }

    @Test
    void theKeyMapIsBoundedAndRefusesNewKeysWhenFull() {
        OffsetMap map = new OffsetMap(OffsetMap.ENTRY_BYTES * 10L);
        assertEquals(-1, map.get(utf8("a")));
        assertTrue(map.put(utf8("a"), 5));
        assertEquals(5, map.get(utf8("a")));
        for (int i = 0; i < map.capacity() - 1; i++) {
            assertTrue(map.put(utf8("k" + i), i));
        }
        assertFalse(map.put(utf8("one-too-many"), 99), "full: a new key is refused");
        assertTrue(map.put(utf8("a"), 6), "an existing key still updates");
        map.clear();
        assertEquals(0, map.size());
    }
}
