package io.sluice.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One compaction pass over one log (Kafka's {@code Cleaner.clean}): maps every key of the dirty
 * part (from the first dirty offset to the end of the cleanable segments) to its latest offset, then
 * rewrites the cleanable segments from the log start, group by group, keeping a record only if it is
 * the latest of its key, or lies past what the map could hold. Tombstones go once they were first
 * cleaned {@code delete.retention.ms} ago; records without a key are dropped (a compacted topic
 * refuses them, so only a topic switched to compaction can hold any). Offsets, timestamps, headers
 * and batch headers stay as written ({@link RecordBatchBuilder#rebuild}).
 *
 * <p>The rewriting reads closed segments off the writer; only the swap runs on it, and it is refused
 * when retention or truncation changed the segments meanwhile (the pass then stops and counts nothing).
 */
final class Compactor {
    /** What a pass did: bytes read from the old segments, written to the cleaned ones, segments replaced. */
    record Result(boolean ran, long bytesRead, long bytesWritten, int segmentsReplaced, long recordsRemoved) {
        static final Result NOTHING = new Result(false, 0, 0, 0, 0);
    }

    /** How dirty a log is: bytes past the first dirty offset over the bytes of its cleanable segments. */
    record Dirtiness(double ratio, boolean tombstonesDue, long cleanableBytes) {
    }

    private static final int APPEND_BATCH_BYTES = 1 << 20;

    private final PartitionLog log;
    private final OffsetMap map;
    private final int readBufferBytes;
    private final SegmentSwap.StepListener listener;

    Compactor(PartitionLog log, OffsetMap map, int readBufferBytes, SegmentSwap.StepListener listener) {
        this.log = log;
        this.map = map;
        this.readBufferBytes = readBufferBytes;
        this.listener = listener;
    }

    static Dirtiness dirtiness(PartitionLog log, long nowMs) {
        List<LogSegment> segments = log.cleanableSegments();
        CleanerState state = log.cleanerState();
        long firstDirty = state.firstDirty();
        long total = 0;
        long dirty = 0;
        for (LogSegment s : segments) {
            total += s.size();
            if (s.nextOffset() > firstDirty) {
                dirty += s.size();
            }
        }
        boolean due = !segments.isEmpty() && state.tombstonesDue(nowMs, log.config().deleteRetentionMs());
        return new Dirtiness(total == 0 ? 0 : (double) dirty / total, due, total);
    }

    /** Runs the pass when the log is dirty enough ({@code minDirtyRatio}) or tombstones are due; or always if {@code force}. */
    Result run(long nowMs, double minDirtyRatio, boolean force) throws IOException {
        LogConfig config = log.config();
        List<LogSegment> segments = log.cleanableSegments();
        if (!config.compact() || segments.isEmpty()) {
            return Result.NOTHING;
        }
        CleanerState state = log.cleanerState();
        long generation = state.generation();
        Dirtiness d = dirtiness(log, nowMs);
        if (!force && !d.tombstonesDue() && (d.ratio() < minDirtyRatio || d.ratio() == 0)) {
            return Result.NOTHING;
        }
        long firstDirty = Math.max(state.firstDirty(), segments.get(0).baseOffset());
        long removableBelow = state.tombstonesRemovableBelow(nowMs, config.deleteRetentionMs());
        long mappedUpTo = buildMap(segments, firstDirty);
        // A tiered log uploads a segment once the cleaner has passed it, and never rewrites it after:
        // the upload reads the file, and the remote copy is the one readers get once local retention acts.
        List<LogSegment> rewritable = config.remoteStorage()
                ? segments.stream().filter(s -> s.nextOffset() > firstDirty).toList()
                : segments;
        Result total = new Result(true, 0, 0, 0, 0);
        for (List<LogSegment> group : groups(rewritable, mappedUpTo, config.segmentBytes())) {
            Result r = cleanGroup(group, mappedUpTo, removableBelow);
            if (r == null) {
                return total; // the log changed under the pass: nothing more, the state is not advanced
            }
            total = new Result(true, total.bytesRead + r.bytesRead, total.bytesWritten + r.bytesWritten,
                    total.segmentsReplaced + r.segmentsReplaced, total.recordsRemoved + r.recordsRemoved);
        }
        state.cleaned(generation, mappedUpTo, removableBelow, nowMs);
        return total;
    }

    /** Maps keys from {@code firstDirty} on; returns the offset below which every key is mapped. */
    private long buildMap(List<LogSegment> segments, long firstDirty) throws IOException {
        map.clear();
        long[] upTo = {segments.get(segments.size() - 1).nextOffset()};
        boolean[] full = {false};
        for (LogSegment s : segments) {
            if (s.nextOffset() <= firstDirty || full[0]) {
                continue;
            }
            forEachBatch(s, b -> {
                if (full[0] || b.lastOffset() < firstDirty) {
                    return;
                }
                b.forEachRecord(firstDirty, Integer.MAX_VALUE, r -> {
                    if (!full[0] && r.key() != null && !map.put(r.key(), r.offset())) {
                        full[0] = true;
                        upTo[0] = r.offset(); // the map is full: from here on, records stay dirty
                    }
                });
            });
        }
        return upTo[0];
    }

    /** Consecutive segments below {@code mappedUpTo} whose bytes together fit one segment. */
    private static List<List<LogSegment>> groups(List<LogSegment> segments, long mappedUpTo, int maxBytes) {
        List<List<LogSegment>> groups = new ArrayList<>();
        List<LogSegment> current = new ArrayList<>();
        long bytes = 0;
        for (LogSegment s : segments) {
            if (s.baseOffset() >= mappedUpTo) {
                break;
            }
            boolean fits = current.isEmpty() || (bytes + s.size() <= maxBytes
                    && s.nextOffset() - current.get(0).baseOffset() <= Integer.MAX_VALUE / 2);
            if (!fits) {
                groups.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(s);
            bytes += s.size();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /** Writes the cleaned copy of {@code group} and swaps it in; null when the log refused the swap. */
    private Result cleanGroup(List<LogSegment> group, long mappedUpTo, long removableBelow) throws IOException {
        if (!log.isOnline()) {
            return null; // closed (a deleted topic's directory is going away): write nothing into it
        }
        LogSegment first = group.get(0);
        LogRuntime runtime = log.runtime();
        LogSegment cleaned = LogSegment.createCleaned(runtime.io(), runtime.openFiles(), log.dir(), first.baseOffset(),
                log.config().indexIntervalBytes(), first.createdAtMs());
        long read = 0;
        long[] removed = {0};
        try {
            List<ByteBuffer> run = new ArrayList<>();
            int[] runBytes = {0};
            for (LogSegment s : group) {
                read += s.size();
                IoAction flush = () -> {
                    cleaned.append(run, null);
                    run.clear();
                    runBytes[0] = 0;
                };
                forEachBatch(s, b -> {
                    List<LogRecord> all = new ArrayList<>(b.recordCount());
                    b.forEachRecord(b.baseOffset(), Integer.MAX_VALUE, all::add);
                    List<LogRecord> kept = new ArrayList<>(all.size());
                    for (LogRecord r : all) {
                        if (keep(r, mappedUpTo, removableBelow)) {
                            kept.add(r);
                        }
                    }
                    removed[0] += all.size() - kept.size();
                    if (kept.isEmpty()) {
                        return;
                    }
                    ByteBuffer out = kept.size() == all.size() ? copy(b.slice()) : RecordBatchBuilder.rebuild(b, kept);
                    run.add(out);
                    runBytes[0] += out.limit();
                    if (runBytes[0] >= APPEND_BATCH_BYTES) {
                        flush.run();
                    }
                });
                flush.run();
            }
            if (group.size() == 1 && removed[0] == 0) {
                discard(cleaned); // nothing to gain: the segment stays as it is
                return new Result(true, read, 0, 0, 0);
            }
            cleaned.finishCleaned(group.get(group.size() - 1).nextOffset());
        } catch (IOException | RuntimeException e) {
            discard(cleaned);
            throw e;
        }
        boolean swapped;
        try {
            swapped = log.swapCleaned(group, cleaned, listener).join();
        } catch (RuntimeException e) {
            throw new IOException("swapping cleaned segment " + first.baseOffset() + " into " + log.name(), e);
        }
        if (!swapped) {
            discard(cleaned);
            return null;
        }
        return new Result(true, read, cleaned.size(), group.size(), removed[0]);
    }

    private boolean keep(LogRecord r, long mappedUpTo, long removableBelow) {
        if (r.offset() >= mappedUpTo) {
            return true; // past what the map holds: still dirty, kept as it is
        }
        if (r.key() == null) {
            return false;
        }
        if (map.get(r.key()) > r.offset()) {
            return false; // a later record of the key exists
        }
        return r.value() != null || r.offset() >= removableBelow;
    }

    private static ByteBuffer copy(ByteBuffer batch) {
        ByteBuffer copy = ByteBuffer.allocate(batch.remaining());
        copy.put(batch.duplicate()).flip();
        return copy;
    }

    private void discard(LogSegment cleaned) throws IOException {
        cleaned.close();
        StorageIo io = log.runtime().io();
        io.deleteIfExists(SegmentSwap.cleaned(cleaned.file()));
        io.deleteIfExists(SegmentSwap.cleaned(cleaned.offsetIndexFile()));
        io.deleteIfExists(SegmentSwap.cleaned(cleaned.timeIndexFile()));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private interface BatchVisitor {
        void visit(RecordBatch batch) throws IOException;
    }

    /** Every batch of a closed segment, CRC-checked, in chunks of the read buffer (always a whole batch). */
    private void forEachBatch(LogSegment s, BatchVisitor visitor) throws IOException {
        int size = s.size();
        int position = 0;
        while (position < size) {
            ByteBuffer chunk = s.read(position, size, readBufferBytes);
            int at = 0;
            while (chunk.limit() - at >= RecordBatchDescriptor.LOG_OVERHEAD
                    && RecordBatch.sizeAt(chunk, at) <= chunk.limit() - at) {
                RecordBatch b = new RecordBatch(chunk, at);
                b.validate(s.file() + ":" + (position + at));
                visitor.visit(b);
                at += b.sizeInBytes();
            }
            if (at == 0) {
                throw new CorruptRecordException("batch at " + s.file() + ":" + position + " overruns the segment");
            }
            position += at;
        }
    }
}
