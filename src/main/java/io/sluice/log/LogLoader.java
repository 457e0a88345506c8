package io.sluice.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * Opens a partition's segments from disk and recovers them from the partition's recovery point:
 * segments wholly below it are trusted (they were fsynced, with their indexes, when they rolled);
 * the segment that holds it is CRC-checked from the point on; every later one from its first byte.
 * A torn or corrupt batch is cut with everything after it, and a segment that comes after a cut is
 * set aside (renamed {@code *.unrecovered}), never deleted: it cannot continue the log's offsets.
 * Without a recovery point (a new data dir, or a lost checkpoint) every segment is checked.
 */
final class LogLoader {
    private static final System.Logger LOG = System.getLogger(LogLoader.class.getName());
    static final String SET_ASIDE_SUFFIX = ".unrecovered";

    record Loaded(NavigableMap<Long, LogSegment> segments, LogSegment active) {
    }

    private LogLoader() {
    }

    static Loaded load(String name, Path dir, LogConfig config, LogRuntime runtime, long initialOffset)
            throws IOException {
        StorageIo io = runtime.io();
        int interval = config.indexIntervalBytes();
        SegmentSwap.completeInterrupted(name, dir, io); // a compaction the crash cut short: undone or finished
        List<Long> bases = segmentBases(dir);
        NavigableMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
        RecoveryPoint point = runtime.checkpoints().claim(name);
        if (bases.isEmpty()) {
            LogSegment active = LogSegment.create(io, runtime.openFiles(), dir, initialOffset, interval,
                    runtime.clock().getAsLong());
            segments.put(active.baseOffset(), active);
            return new Loaded(segments, active);
        }
        LogSegment last = null;
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            boolean isLast = i == bases.size() - 1;
            long nextBase = isLast ? Long.MAX_VALUE : bases.get(i + 1);
            LogSegment s = LogSegment.open(io, runtime.openFiles(), dir, base, nextBase, interval);
            segments.put(base, s);
            last = s;
            boolean trusted = point != null && base < point.segmentBase() && !isLast;
            if (trusted && s.indexesLoaded()) {
                s.trustClosed(nextBase);
                continue;
            }
            RecoveryPoint from = point != null && point.segmentBase() == base && s.matches(point) ? point : null;
            int cut = s.recoverFrom(trusted ? null : from);
            if (cut > 0) {
                LOG.log(System.Logger.Level.WARNING, "{0}: cut {1} bytes of torn or corrupt tail, its end is now offset {2}",
                        s.file(), cut, s.nextOffset());
            }
            if (!isLast) {
                s.persistRebuiltIndexes();
                // A gap up to the next segment is legal (compaction); a cut, or an overlap, is not.
                if (cut > 0 || s.nextOffset() > nextBase) {
                    setAside(name, dir, io, bases.subList(i + 1, bases.size()), s.nextOffset());
                    break;
                }
            }
        }
        last.reopenForAppends();
        return new Loaded(segments, last);
    }

    private static List<Long> segmentBases(Path dir) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(Long.parseLong(file.substring(0, file.length() - LogSegment.LOG_SUFFIX.length())));
                }
            }
        }
        bases.sort(Comparator.naturalOrder());
        return bases;
    }

    private static void setAside(String name, Path dir, StorageIo io, List<Long> later, long logEnd) throws IOException {
        for (long base : later) {
            for (Path f : List.of(LogSegment.logPath(dir, base), SparseIndex.path(dir, base, SparseIndex.Kind.OFFSET),
                    SparseIndex.path(dir, base, SparseIndex.Kind.TIME))) {
                if (Files.exists(f)) {
                    io.moveAtomically(f, f.resolveSibling(f.getFileName() + SET_ASIDE_SUFFIX));
                }
            }
            LOG.log(System.Logger.Level.ERROR, "{0}: segment {1} cannot follow the recovered log end {2}; set aside as "
                    + "{3}{4}", name, LogSegment.fileStem(base), logEnd, LogSegment.logPath(dir, base), SET_ASIDE_SUFFIX);
        }
        io.syncDirectory(dir);
    }
}
