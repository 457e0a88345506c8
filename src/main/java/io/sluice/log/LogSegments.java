package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * The segments of one partition's log, oldest first, and the active one that takes appends: rolls
 * (and the retry of a roll that could not create its file), appends of stamped batches, walks over
 * batch headers across segments, and the deletions that truncation and retention make. Owns the
 * invariant that the segments are contiguous and the last one is the active one.
 *
 * <p>Writer thread only, except the map itself, which readers walk without a lock (a concurrent map:
 * a reader that meets a deleted segment retries).
 */
final class LogSegments {
    private static final System.Logger LOG = System.getLogger(LogSegments.class.getName());
    /** How long a roll that could not create its next file waits before it tries again. */
    static final long ROLL_RETRY_MS = 1_000;

    private final String name;
    private final Path dir;
    private final LogRuntime runtime;
    private final NavigableMap<Long, LogSegment> segments;
    private volatile LogSegment active;
    /** Set while rolling fails to create the next segment's file; appends go on in the current one. */
    private IOException rollFailure;
    private long nextRollAttemptMs;

    LogSegments(String name, Path dir, LogRuntime runtime, LogLoader.Loaded loaded) {
        this.name = name;
        this.dir = dir;
        this.runtime = runtime;
        this.segments = loaded.segments();
        this.active = loaded.active();
    }

    /** The segments by base offset, for readers. */
    NavigableMap<Long, LogSegment> map() {
        return segments;
    }

    LogSegment active() {
        return active;
    }

    long firstBase() {
        return segments.firstKey();
    }

    IOException rollFailure() {
        return rollFailure;
    }

    boolean shouldRoll(LogConfig c, long sizeAfterAppend, long next, long now) {
        return sizeAfterAppend > c.segmentBytes() || now - active.createdAtMs() >= c.segmentMs()
                || next - active.baseOffset() > Integer.MAX_VALUE / 2;
    }

    /** Whether the active segment can still take a batch of {@code size} bytes (it holds fewer records than bytes). */
    boolean fits(int size, long next) {
        return (long) active.size() + size <= Integer.MAX_VALUE && next + size - active.baseOffset() <= Integer.MAX_VALUE;
    }

    /**
     * Writes stamped batches to the active segment; a failed write is cut back so the file ends on a
     * batch boundary. {@code batchEnds}, unless null, gets where each batch ends.
     */
    void append(List<ByteBuffer> run, List<RecoveryPoint> batchEnds) throws IOException {
        int position = active.size();
        long offset = active.nextOffset();
        try {
            active.append(run, batchEnds);
        } catch (IOException e) {
            try {
                active.truncateTo(position, offset);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Closes the active segment durably and starts a new one at its end. A failed fsync of the log is
     * thrown (the log goes offline); failing to write the indexes or to create the next file (EMFILE,
     * a full directory) is not: nothing written is at risk, so appends go on in the current segment
     * and the roll is tried again after {@link #ROLL_RETRY_MS}.
     *
     * @return the segment just closed (fsynced whole), or null when the log did not roll
     */
    LogSegment tryRoll(LogConfig config, long now) throws IOException {
        if (now < nextRollAttemptMs) {
            return null;
        }
        active.flushLog();
        LogSegment next;
        try {
            active.persistIndexesDurably();
            next = LogSegment.create(runtime.io(), runtime.openFiles(), dir, active.nextOffset(),
                    config.indexIntervalBytes(), now);
        } catch (IOException e) {
            nextRollAttemptMs = now + ROLL_RETRY_MS;
            if (rollFailure == null) {
                LOG.log(System.Logger.Level.WARNING, "{0}: could not roll to a new segment at offset {1}; appending to "
                        + "segment {2} and trying again: {3}", name, active.nextOffset(), active.baseOffset(), e.toString());
            }
            rollFailure = e;
            return null;
        }
        if (rollFailure != null) {
            LOG.log(System.Logger.Level.INFO, "{0}: rolled again after a failure to create a segment", name);
            rollFailure = null;
        }
        LogSegment closed = active;
        segments.put(next.baseOffset(), next);
        active = next;
        closed.closeForAppends();
        LOG.log(System.Logger.Level.DEBUG, "{0}: rolled to segment {1}", name, next.baseOffset());
        return closed;
    }

    /** The point at the last batch boundary at or below {@code offset}. */
    RecoveryPoint pointAt(long offset) throws IOException {
        return segments.floorEntry(Math.max(offset, segments.firstKey())).getValue().pointAt(offset);
    }

    /** Where each batch after {@code from} ends, up to the log end. */
    List<RecoveryPoint> batchEndsAbove(RecoveryPoint from) throws IOException {
        List<RecoveryPoint> ends = new ArrayList<>();
        for (LogSegment s : segments.tailMap(from.segmentBase(), true).values()) {
            boolean first = s.baseOffset() == from.segmentBase();
            s.walkHeaders(first ? from.position() : 0, first ? from.nextOffset() : s.baseOffset(), (position, b) -> {
                // Only readers use these points (never a recovery checkpoint): no timestamps needed.
                ends.add(new RecoveryPoint(s.baseOffset(), position + b.sizeInBytes(), b.nextOffset(), position,
                        b.storedCrc(), -1, -1));
                return true;
            });
        }
        return ends;
    }

    /** Tells {@code visitor} the epoch and base offset of every batch, oldest first. */
    void walkBatches(LeaderEpochs.EpochVisitor visitor) throws IOException {
        for (LogSegment s : segments.values()) {
            s.walkHeaders(0, s.baseOffset(), (position, b) -> {
                visitor.batch(b.partitionLeaderEpoch(), b.baseOffset());
                return true;
            });
        }
    }

    /** The leader epoch of the log's last batch, or -1 when it has none (or a damaged segment hides it). */
    int lastBatchEpoch() throws IOException {
        for (LogSegment s : segments.descendingMap().values()) {
            if (s.size() > 0) {
                try {
                    return s.lastBatchEpoch();
                } catch (CorruptRecordException e) {
                    return -1; // a damaged closed segment: reads report it where it is
                }
            }
        }
        return -1;
    }

    /**
     * Makes {@code keep} the last segment: the ones after it are deleted, newest first (a crash
     * leaves a shorter log that is still contiguous), durably; it takes appends again.
     */
    void keepUpTo(LogSegment keep) throws IOException {
        deleteAfter(keep.baseOffset());
        if (keep != active) {
            keep.reopenForAppends();
            active = keep;
        }
    }

    /** Deletes every segment and starts an empty one at {@code offset}. */
    void startAt(long offset, LogConfig config, long now) throws IOException {
        deleteAfter(Long.MIN_VALUE);
        LogSegment fresh = LogSegment.create(runtime.io(), runtime.openFiles(), dir, offset,
                config.indexIntervalBytes(), now);
        segments.put(offset, fresh);
        active = fresh;
    }

    private void deleteAfter(long base) throws IOException {
        List<LogSegment> doomed = new ArrayList<>(segments.tailMap(base, false).descendingMap().values());
        for (LogSegment s : doomed) {
            segments.remove(s.baseOffset());
            s.delete();
        }
        if (!doomed.isEmpty()) {
            runtime.io().syncDirectory(dir);
        }
    }

    /** Deletes the oldest segment (retention); never the active one. */
    void deleteOldest(LogSegment oldest) throws IOException {
        if (oldest == active || segments.firstEntry().getValue() != oldest) {
            throw new IllegalStateException(name + ": segment " + oldest.baseOffset() + " is not the oldest closed one");
        }
        segments.remove(oldest.baseOffset());
        oldest.delete();
    }

    /**
     * Compaction: {@code cleaned} takes the place of {@code old} (consecutive closed segments, the first
     * with the same base offset). The cleaned one goes in first, so a reader always finds each offset.
     */
    void replace(List<LogSegment> old, LogSegment cleaned) {
        if (old.get(0).baseOffset() != cleaned.baseOffset() || old.contains(active)) {
            throw new IllegalStateException(name + ": cleaned segment " + cleaned.baseOffset()
                    + " cannot replace segments from " + old.get(0).baseOffset());
        }
        segments.put(cleaned.baseOffset(), cleaned);
        for (LogSegment s : old.subList(1, old.size())) {
            segments.remove(s.baseOffset(), s);
        }
    }

    /** Whether {@code group} are still the segments at their base offsets (no retention or truncation came between). */
    boolean holds(List<LogSegment> group) {
        for (LogSegment s : group) {
            if (segments.get(s.baseOffset()) != s || s == active) {
                return false;
            }
        }
        return true;
    }

    ClosedSegment describe(LogSegment s) {
        return new ClosedSegment(name, s.baseOffset(), s.nextOffset(), s.maxTimestamp(), s.size(), s.file(),
                s.offsetIndexFile(), s.timeIndexFile());
    }

    /** Every segment below {@code base}, oldest first. */
    List<ClosedSegment> closedBelow(long base) {
        List<ClosedSegment> closedOnes = new ArrayList<>();
        for (LogSegment s : segments.headMap(base, false).values()) {
            closedOnes.add(describe(s));
        }
        return closedOnes;
    }

    int count() {
        return segments.size();
    }

    /** Bytes of the segments that start at or after {@code offset}. */
    long sizeInBytesFrom(long offset) {
        long total = 0;
        for (LogSegment s : segments.tailMap(offset, true).values()) {
            total += s.size();
        }
        return total;
    }

    /** Closes every file, each one even when another fails: the first failure is thrown, the others suppressed. */
    void closeAll(IOException earlier) throws IOException {
        IOException error = earlier;
        for (LogSegment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                if (error == null) {
                    error = e;
                } else {
                    error.addSuppressed(e);
                }
            }
        }
        if (error != null) {
            throw error;
        }
    }
}
