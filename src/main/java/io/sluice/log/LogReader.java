package io.sluice.log;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog.ReadResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The read side of one partition's log: finds the segment and position of an offset below the
 * visible end and decodes whole batches, each CRC-checked; searches by timestamp. Takes no lock:
 * it reads what the writer published (the segments, the visible end, the log start and end).
 */
final class LogReader {
    private final String name;
    private final NavigableMap<Long, LogSegment> segments;
    private final Supplier<RecoveryPoint> visible;
    private final LongSupplier logStartOffset;
    private final LongSupplier logEndOffset;
    private final BooleanSupplier closed;

    LogReader(String name, NavigableMap<Long, LogSegment> segments, Supplier<RecoveryPoint> visible,
            LongSupplier logStartOffset, LongSupplier logEndOffset, BooleanSupplier closed) {
        this.name = name;
        this.segments = segments;
        this.visible = visible;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = logEndOffset;
        this.closed = closed;
    }

    /**
     * Reads records from {@code offset} on, below the high watermark: whole batches from one
     * segment, at most {@code maxBytes} of them (but always one batch) and {@code maxRecords}
     * records. Every batch is CRC-checked before a record of it is returned.
     */
    ReadResult read(long offset, int maxBytes, int maxRecords) {
        return withRetries(offset, () -> readOnce(offset, maxBytes, maxRecords));
    }

    /**
     * Whole batches from {@code offset} up to the log end (not the high watermark: a follower copies
     * what is not yet committed), from one segment, at most {@code maxBytes} but always one batch.
     */
    LogSlice readForReplica(long offset, int maxBytes) {
        return withRetries(offset, () -> {
            long start = logStartOffset.getAsLong();
            long logEnd = logEndOffset.getAsLong();
            if (offset < start || offset > logEnd) {
                throw SluiceException.offsetOutOfRange(name, offset, start, logEnd);
            }
            Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
            if (entry == null) {
                throw SluiceException.offsetOutOfRange(name, offset, start, logEnd);
            }
            if (offset == logEnd) {
                LogSegment segment = entry.getValue();
                return new LogSlice(segment.file(), segment.size(), 0);
            }
            // In a compacted log the offset may lie in a gap, up to the end of its segment: the slice then
            // starts at the next batch, in this segment or a later one (the follower's log takes the gap too).
            for (; entry != null; entry = segments.higherEntry(entry.getKey())) {
                LogSlice slice;
                try {
                    slice = entry.getValue().sliceFrom(offset, maxBytes);
                } catch (IllegalArgumentException inside) {
                    break; // inside a batch: the follower's log diverged, it must truncate first
                }
                if (slice != null) {
                    return slice;
                }
            }
            throw new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " of " + name
                    + " is not where a batch starts (log start " + start + ", log end " + logEnd + ")");
        });
    }

    /** A read met bytes that truncation cut after the read took its end: retried. */
    private static final class CutUnderReader extends IOException {
        CutUnderReader(CorruptRecordException cause) {
            super(cause);
        }
    }

    private interface Read<T> {
        T run() throws IOException;
    }

    private <T> T withRetries(long offset, Read<T> read) {
        for (int attempt = 0; ; attempt++) {
            try {
                return read.run();
            } catch (ClosedChannelException | NoSuchFileException | CutUnderReader e) {
                if (closed.getAsBoolean() || attempt > 2) {
                    throw new SluiceException(ErrorCode.STORAGE_ERROR, "partition " + name + " is closed", e);
                }
                // Retention or truncation removed the segment under us: look again, the offset may now be out of range.
            } catch (IOException e) {
                if (SegmentFileCache.isOutOfDescriptors(e)) {
                    // Not a disk failure: the broker is at its descriptor limit; the client may retry.
                    throw new SluiceException(ErrorCode.BROKER_BUSY, "reading " + name + " at offset " + offset
                            + ": the broker is out of file descriptors; retry later", e);
                }
                throw new SluiceException(ErrorCode.STORAGE_ERROR, "reading " + name + " at offset " + offset
                        + ": " + e.getMessage(), e);
            }
        }
    }

    private ReadResult readOnce(long offset, int maxBytes, int maxRecords) throws IOException {
        RecoveryPoint end = visible.get();
        long start = logStartOffset.getAsLong();
        long logEnd = logEndOffset.getAsLong();
        if (offset < start || offset > logEnd) {
            throw SluiceException.offsetOutOfRange(name, offset, start, logEnd);
        }
        List<LogRecord> records = new ArrayList<>();
        if (offset >= end.nextOffset()) {
            return new ReadResult(records, offset, end.nextOffset(), start);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        while (entry != null && entry.getKey() <= end.segmentBase()) {
            LogSegment segment = entry.getValue();
            int limit = segment.baseOffset() == end.segmentBase() ? end.position() : segment.size();
            int position = segment.positionOf(offset, limit);
            if (position >= 0) {
                long next;
                try {
                    ByteBuffer bytes = segment.read(position, limit, maxBytes);
                    next = RecordBatches.decode(bytes, offset, maxRecords, segment.file().toString(), position,
                            records);
                } catch (CorruptRecordException e) {
                    if (visible.get().nextOffset() < end.nextOffset()) {
                        throw new CutUnderReader(e); // truncation lowered the end while we read: look again
                    }
                    throw e;
                }
                // Past the batches read even when compaction left none of their records: a reader moves on.
                return new ReadResult(records, Math.min(next, end.nextOffset()), end.nextOffset(), start);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return new ReadResult(records, offset, end.nextOffset(), start);
    }

    /** First offset whose timestamp is at or after {@code timestamp}, or the high watermark if none. */
    long offsetForTimestamp(long timestamp) {
        RecoveryPoint end = visible.get();
        try {
            for (LogSegment segment : segments.values()) {
                if (segment.baseOffset() > end.segmentBase()) {
                    break;
                }
                if (segment.maxTimestamp() < timestamp) {
                    continue;
                }
                int limit = segment.baseOffset() == end.segmentBase() ? end.position() : segment.size();
                long found = segment.offsetForTimestamp(timestamp, limit);
                if (found >= 0) {
                    return found;
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "searching " + name + " by timestamp: " + e, e);
        }
        return end.nextOffset();
    }
}
