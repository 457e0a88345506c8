package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.LOG_OVERHEAD;
import static io.sluice.log.RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Puts a cleaned segment in the place of the segments it was cleaned from, crash-safely, in Kafka's
 * order ({@code LogCleaner} / {@code UnifiedLog.replaceSegments}):
 *
 * <ol>
 *   <li>{@link Step#CLEANED}: the cleaned log and indexes were written as {@code .cleaned} files and fsynced;
 *   <li>{@link Step#SWAPPED}: each renamed to {@code .swap} (the log last), the directory fsynced: from
 *       here the cleaned segment is committed and recovery completes the swap;
 *   <li>{@link Step#DELETED_ONE} / {@link Step#DELETED}: the old segments' files deleted, the directory fsynced;
 *   <li>{@link Step#RENAMED}: the swap files renamed to their final names (the log last), the directory fsynced.
 * </ol>
 *
 * A crash before step 2 leaves {@code .cleaned} files, which {@link #completeInterrupted} deletes; at or after
 * it, a {@code .log.swap}, which it completes: every segment whose base offset lies in the swap's offsets
 * is deleted and the swap renamed into place. Readers are never served the wrong file: the old segments
 * are marked replaced before their paths change, and the cleaned segment reads through its own channel
 * until its file has its final name.
 */
final class SegmentSwap {
    static final String CLEANED_SUFFIX = ".cleaned";
    static final String SWAP_SUFFIX = ".swap";
    private static final System.Logger LOG = System.getLogger(SegmentSwap.class.getName());

    /** The points of a swap, for tests that stop there (a crash) and for nothing else. */
    enum Step {
        CLEANED, SWAPPED, DELETED_ONE, DELETED, RENAMED
    }

    /** Told of each step once it is durable; a test throws here to simulate a crash after it. */
    interface StepListener {
        StepListener NONE = step -> { };

        void after(Step step) throws IOException;
    }

    private SegmentSwap() {
    }

    static Path cleaned(Path file) {
        return file.resolveSibling(file.getFileName() + CLEANED_SUFFIX);
    }

    static Path swap(Path file) {
        return file.resolveSibling(file.getFileName() + SWAP_SUFFIX);
    }

    /**
     * Replaces {@code old} (consecutive segments of {@code segments}, oldest first) by {@code cleaned},
     * whose files are durable as {@code .cleaned}. Writer thread only.
     */
    static void swapIn(LogSegments segments, List<LogSegment> old, LogSegment cleaned, StorageIo io, Path dir,
            StepListener listener) throws IOException {
        listener.after(Step.CLEANED);
        for (Path f : files(cleaned)) {
            io.moveAtomically(cleaned(f), swap(f));
        }
        io.syncDirectory(dir);
        listener.after(Step.SWAPPED);
        for (LogSegment s : old) {
            s.markReplaced(); // before any path changes: a reader holding it looks again, and finds the cleaned one
        }
        segments.replace(old, cleaned);
        for (int i = 0; i < old.size(); i++) {
            old.get(i).delete();
            if (i == 0) {
                listener.after(Step.DELETED_ONE);
            }
        }
        io.syncDirectory(dir);
        listener.after(Step.DELETED);
        for (Path f : files(cleaned)) {
            io.moveAtomically(swap(f), f);
        }
        io.syncDirectory(dir);
        cleaned.closeForAppends(); // its channel, open on the renamed file, goes to the cache under the final name
        listener.after(Step.RENAMED);
    }

    /** Index files first, the log last: the log's name is what recovery keys on. */
    private static List<Path> files(LogSegment s) {
        return List.of(s.offsetIndexFile(), s.timeIndexFile(), s.file());
    }

    /**
     * On open, before the segments are listed: deletes what a crash left of a cleaning that was not
     * committed ({@code .cleaned}), and finishes every committed one ({@code .log.swap}).
     */
    static void completeInterrupted(String name, Path dir, StorageIo io) throws IOException {
        List<Path> all;
        try (Stream<Path> files = Files.list(dir)) {
            all = files.toList();
        }
        boolean changed = false;
        for (Path f : all) {
            if (f.getFileName().toString().endsWith(CLEANED_SUFFIX)) {
                io.deleteIfExists(f);
                changed = true;
            }
        }
        for (Path f : all) {
            String file = f.getFileName().toString();
            if (!file.endsWith(LogSegment.LOG_SUFFIX + SWAP_SUFFIX)) {
                continue;
            }
            long base = Long.parseLong(file.substring(0, file.length() - (LogSegment.LOG_SUFFIX + SWAP_SUFFIX).length()));
            long end = Math.max(base + 1, endOf(f, base));
            for (long replaced : basesIn(dir, base, end)) {
                io.deleteIfExists(LogSegment.logPath(dir, replaced));
                io.deleteIfExists(SparseIndex.path(dir, replaced, SparseIndex.Kind.OFFSET));
                io.deleteIfExists(SparseIndex.path(dir, replaced, SparseIndex.Kind.TIME));
            }
            io.syncDirectory(dir);
            for (SparseIndex.Kind kind : SparseIndex.Kind.values()) {
                Path index = SparseIndex.path(dir, base, kind);
                if (Files.exists(swap(index))) {
                    io.moveAtomically(swap(index), index);
                }
            }
            io.moveAtomically(f, LogSegment.logPath(dir, base));
            changed = true;
            LOG.log(System.Logger.Level.INFO, "{0}: completed the swap of cleaned segment {1} (offsets up to {2})",
                    name, LogSegment.fileStem(base), end);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(SWAP_SUFFIX)) {
                    io.deleteIfExists(f); // an index swap whose log was already renamed: the index is rebuilt
                    changed = true;
                }
            }
        }
        if (changed) {
            io.syncDirectory(dir);
        }
    }

    /** The offset after the last batch of a swap file (fsynced whole before it was renamed to .swap). */
    private static long endOf(Path swapFile, long base) throws IOException {
        long end = base;
        try (FileChannel ch = FileChannel.open(swapFile, StandardOpenOption.READ)) {
            long size = ch.size();
            long position = 0;
            ByteBuffer header = ByteBuffer.allocate(RECORD_BATCH_OVERHEAD);
            while (size - position >= RECORD_BATCH_OVERHEAD) {
                header.clear();
                while (header.hasRemaining() && ch.read(header, position + header.position()) >= 0) {
                    // read the whole header
                }
                RecordBatch b = new RecordBatch(header, 0);
                if (b.sizeInBytes() < RECORD_BATCH_OVERHEAD || b.sizeInBytes() > size - position) {
                    throw new CorruptRecordException("swap file " + swapFile + " is torn at " + position
                            + " (batch size=" + b.sizeInBytes() + ", file size=" + size + ")");
                }
                end = Math.max(end, b.nextOffset());
                position += LOG_OVERHEAD + header.getInt(RecordBatchDescriptor.LENGTH_OFFSET);
            }
        }
        return end;
    }

    private static List<Long> basesIn(Path dir, long from, long to) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(LogSegment.LOG_SUFFIX)) {
                    long base = Long.parseLong(file.substring(0, file.length() - LogSegment.LOG_SUFFIX.length()));
                    if (base >= from && base < to) {
                        bases.add(base);
                    }
                }
            }
        }
        return bases;
    }
}
