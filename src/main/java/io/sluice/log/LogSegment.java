package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One file of a partition's log, named by its zero-padded base offset, with its sparse offset and
 * time indexes. The segment owns the invariant that its file is a sequence of valid batches with
 * increasing offsets at or above the base offset (dense, until compaction leaves gaps: a cleaned
 * segment keeps its base offset while its first batch may start later); {@link #recoverFrom}
 * restores it after a crash.
 *
 * <p>Only the active segment holds its file open (for appends); a closed segment's file is opened
 * by a reader through the broker's {@link SegmentFileCache}, and its indexes live in memory.
 *
 * <p>Only the partition's writer appends, truncates and flushes; readers use positional reads
 * bounded by a size the writer has published.
 */
final class LogSegment {
    static final String LOG_SUFFIX = ".log";

    private final StorageIo io;
    private final SegmentFileCache files;
    private final long baseOffset;
    private final Path logFile;
    private final int indexIntervalBytes;
    private final long createdAtMs;
    /** The open file while the segment takes appends; null once it is closed (rolled or the log closed). */
    private volatile FileChannel channel;
    private SparseIndex offsetIndex;
    private SparseIndex timeIndex;
    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1;
    private long offsetOfMaxTimestamp = -1;
    private int bytesSinceLastIndexEntry;
    private int lastBatchPosition = -1;
    private long lastBatchCrc;
    private boolean indexesLoaded;
    /** Set when compaction swapped this segment out: its path may now name another file, so readers look again. */
    private volatile boolean replaced;

    private LogSegment(StorageIo io, SegmentFileCache files, Path dir, long baseOffset, int indexIntervalBytes,
            long createdAtMs) {
        this.io = io;
        this.files = files;
        this.baseOffset = baseOffset;
        this.logFile = logPath(dir, baseOffset);
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdAtMs = createdAtMs;
        this.nextOffset = baseOffset;
        this.offsetIndex = SparseIndex.empty(dir, baseOffset, SparseIndex.Kind.OFFSET);
        this.timeIndex = SparseIndex.empty(dir, baseOffset, SparseIndex.Kind.TIME);
    }

    static String fileStem(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    static Path logPath(Path dir, long baseOffset) {
        return dir.resolve(fileStem(baseOffset) + LOG_SUFFIX);
    }

    /**
     * Creates an empty active segment and makes its name durable (directory fsync) before anything
     * is appended to it. Failing here (EMFILE, a full directory) leaves nothing behind.
     */
    static LogSegment create(StorageIo io, SegmentFileCache files, Path dir, long baseOffset, int indexIntervalBytes,
            long nowMs) throws IOException {
        Path file = logPath(dir, baseOffset);
        FileChannel ch = io.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            io.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
                io.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        LogSegment segment = new LogSegment(io, files, dir, baseOffset, indexIntervalBytes, nowMs);
        segment.channel = ch;
        return segment;
    }

    /**
     * Starts the cleaned copy of a segment (compaction): its log is written to {@code <base>.log.cleaned},
     * through this segment's channel, by {@link #append}, and sealed by {@link #finishCleaned}. The
     * segment is named by its final path; {@link SegmentSwap} renames the files into place.
     */
    static LogSegment createCleaned(StorageIo io, SegmentFileCache files, Path dir, long baseOffset,
            int indexIntervalBytes, long createdAtMs) throws IOException {
        LogSegment segment = new LogSegment(io, files, dir, baseOffset, indexIntervalBytes, createdAtMs);
        segment.channel = io.open(SegmentSwap.cleaned(segment.logFile), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return segment;
    }

    /**
     * Makes a cleaned copy durable: the log fsynced, the indexes written whole and fsynced beside it
     * as {@code .cleaned} files. Its offsets run to {@code endOffset} (the end of the segments it
     * replaces), whatever its last batch: the gap up to there belongs to it.
     */
    void finishCleaned(long endOffset) throws IOException {
        channel.force(true);
        sealTimeIndex();
        offsetIndex.writeWhole(io, SegmentSwap.cleaned(offsetIndex.file()));
        timeIndex.writeWhole(io, SegmentSwap.cleaned(timeIndex.file()));
        nextOffset = Math.max(nextOffset, endOffset);
    }

    /** Compaction swapped this segment out: a reader that still holds it must look the offset up again. */
    void markReplaced() {
        replaced = true;
    }

    /**
     * Opens a segment found on disk without holding its file: its size from the file system and its
     * indexes from their files, when they load cleanly. {@link #indexesLoaded} says whether they did.
     */
    static LogSegment open(StorageIo io, SegmentFileCache files, Path dir, long baseOffset, long nextOffsetLimit,
            int indexIntervalBytes) throws IOException {
        Path file = logPath(dir, baseOffset);
        long created = Files.getLastModifiedTime(file).toMillis();
        LogSegment segment = new LogSegment(io, files, dir, baseOffset, indexIntervalBytes, created);
        long fileSize = Files.size(file);
        if (fileSize > Integer.MAX_VALUE) {
            throw new CorruptRecordException("segment " + file + " is larger than 2 GiB: " + fileSize);
        }
        segment.size = (int) fileSize;
        SparseIndex offsets = SparseIndex.load(io, dir, baseOffset, SparseIndex.Kind.OFFSET, segment.size);
        SparseIndex times = SparseIndex.load(io, dir, baseOffset, SparseIndex.Kind.TIME, nextOffsetLimit);
        if (offsets != null && times != null) {
            segment.offsetIndex = offsets;
            segment.timeIndex = times;
            segment.indexesLoaded = true;
        }
        return segment;
    }

    /** Whether both index files loaded and passed their checks (else recovery rebuilds them). */
    boolean indexesLoaded() {
        return indexesLoaded;
    }

    /** A closed segment whose indexes loaded: takes its offsets and newest timestamp from them. */
    void trustClosed(long nextOffset) {
        this.nextOffset = nextOffset;
        int t = timeIndex.entries();
        maxTimestamp = t == 0 ? -1 : timeIndex.keyAt(t - 1);
        offsetOfMaxTimestamp = t == 0 ? -1 : timeIndex.valueAt(t - 1);
    }

    /**
     * Whether {@code point} describes this file: the batch it names ends exactly at its position with
     * the offset and CRC it recorded. A stale point (another incarnation of the partition, or a disk
     * that lost fsynced bytes) fails.
     */
    boolean matches(RecoveryPoint point) throws IOException {
        if (point.segmentBase() != baseOffset || point.position() > size) {
            return false;
        }
        if (point.position() == 0) {
            return point.nextOffset() == baseOffset;
        }
        int at = point.lastBatchPosition();
        if (at < 0 || point.position() - at < RECORD_BATCH_OVERHEAD) {
            return false;
        }
        RecordBatch b = new RecordBatch(readAt(at, RECORD_BATCH_OVERHEAD), 0);
        return b.sizeInBytes() == point.position() - at && b.nextOffset() == point.nextOffset()
                && b.storedCrc() == point.lastBatchCrc();
    }

    /**
     * Validates every batch from {@code point} on (or from the start when null), CRC-checking each,
     * and truncates the file at the first torn or corrupt one. The scan starts at the last offset-index
     * entry at or below the point, so the indexes come out whole; entries past it are dropped.
     *
     * @return the number of bytes truncated
     */
    int recoverFrom(RecoveryPoint point) throws IOException {
        int position = 0;
        long expectedOffset = baseOffset;
        int slot = point == null ? -1 : offsetIndex.floorSlot(point.nextOffset() - 1);
        while (slot >= 0 && offsetIndex.valueAt(slot) >= point.position()) {
            slot--;
        }
        try (FileChannel ch = io.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (slot >= 0 && readValidBatch(ch, (int) offsetIndex.valueAt(slot), size, offsetIndex.keyAt(slot)) == null) {
                slot = -1; // the entry does not point at the batch it names: trust no entry, scan it all
            }
            if (slot >= 0) {
                position = (int) offsetIndex.valueAt(slot);
                expectedOffset = offsetIndex.keyAt(slot);
                maxTimestamp = point.maxTimestamp();
                offsetOfMaxTimestamp = point.offsetOfMaxTimestamp();
            } else {
                maxTimestamp = -1;
                offsetOfMaxTimestamp = -1;
            }
            offsetIndex.truncateToSlot(Math.max(slot, 0)); // the kept slot is indexed again below
            timeIndex.truncateValuesFrom(expectedOffset);
            int t = timeIndex.entries();
            if (t > 0 && timeIndex.keyAt(t - 1) > maxTimestamp) {
                maxTimestamp = timeIndex.keyAt(t - 1);
                offsetOfMaxTimestamp = timeIndex.valueAt(t - 1);
            }
            int cut = scan(ch, position, expectedOffset);
            if (cut == 0 && (point == null || size > point.position())) {
                ch.force(true); // what the crash left in the page cache is served from now on: make it durable
            }
            return cut;
        }
    }

    private int scan(FileChannel ch, int position, long expectedOffset) throws IOException {
        int fileSize = size;
        bytesSinceLastIndexEntry = indexIntervalBytes; // index the first batch we validate
        nextOffset = expectedOffset;
        lastBatchPosition = -1;
        while (position < fileSize) {
            ByteBuffer batch = readValidBatch(ch, position, fileSize, expectedOffset);
            if (batch == null) {
                break;
            }
            RecordBatch b = new RecordBatch(batch, 0);
            indexBatch(position, b);
            position += batch.limit();
            expectedOffset = b.nextOffset();
            nextOffset = expectedOffset;
        }
        int truncated = fileSize - position;
        if (truncated > 0) {
            ch.truncate(position);
            ch.force(true);
        }
        size = position;
        return truncated;
    }

    /** Reads and validates the batch at {@code position}; null where the log is torn or corrupt. */
    private ByteBuffer readValidBatch(FileChannel ch, int position, int fileSize, long expectedOffset)
            throws IOException {
        if (fileSize - position < RECORD_BATCH_OVERHEAD) {
            return null;
        }
        ByteBuffer header = readFully(ch, position, LOG_OVERHEAD);
        int batchSize = RecordBatch.sizeAt(header, 0);
        if (batchSize < RECORD_BATCH_OVERHEAD || batchSize > fileSize - position) {
            return null;
        }
        ByteBuffer batch = readFully(ch, position, batchSize);
        RecordBatch b = new RecordBatch(batch, 0);
        try {
            b.validate(logFile + ":" + position);
        } catch (CorruptRecordException e) {
            return null;
        }
        return b.baseOffset() >= expectedOffset ? batch : null;
    }

    /** Makes a recovered segment the active one again: opens its file for appends. */
    void reopenForAppends() throws IOException {
        files.discard(logFile);
        channel = io.open(logFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Appends batches whose base offsets are already stamped, in one gathering write; adds the point
     * where each batch ends to {@code batchEnds} unless it is null. Writer thread only.
     */
    void append(List<ByteBuffer> batches, List<RecoveryPoint> batchEnds) throws IOException {
        int position = size;
        long total = 0;
        ByteBuffer[] buffers = new ByteBuffer[batches.size()];
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer batch = batches.get(i);
            RecordBatch b = new RecordBatch(batch, 0);
            if (b.baseOffset() < nextOffset) {
                throw new IllegalStateException("segment " + logFile + " expects offset>=" + nextOffset
                        + " but batch starts at " + b.baseOffset());
            }
            int at = (int) (position + total);
            indexBatch(at, b);
            nextOffset = b.nextOffset();
            if (batchEnds != null) {
                batchEnds.add(new RecoveryPoint(baseOffset, at + batch.limit(), nextOffset, at, b.storedCrc(),
                        maxTimestamp, offsetOfMaxTimestamp));
            }
            buffers[i] = batch.duplicate().clear();
            total += batch.limit();
        }
        long written = 0;
        FileChannel ch = channel;
        ch.position(position);
        while (written < total) {
            written += ch.write(buffers);
        }
        size = (int) (position + total);
    }

    private void indexBatch(int position, RecordBatch batch) {
        long batchMaxTimestamp = batch.maxTimestamp();
        if (bytesSinceLastIndexEntry >= indexIntervalBytes) {
            offsetIndex.append(batch.baseOffset(), position);
            if (batchMaxTimestamp > maxTimestamp) {
                timeIndex.append(batchMaxTimestamp, batch.baseOffset());
            }
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batch.sizeInBytes();
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
            offsetOfMaxTimestamp = batch.baseOffset();
        }
        lastBatchPosition = position;
        lastBatchCrc = batch.storedCrc();
    }

    /** Where this segment ends now, as a recovery point (writer thread: the fields move together). */
    RecoveryPoint pointNow() {
        if (lastBatchPosition < 0) {
            return RecoveryPoint.emptySegment(baseOffset);
        }
        return new RecoveryPoint(baseOffset, size, nextOffset, lastBatchPosition, lastBatchCrc, maxTimestamp,
                offsetOfMaxTimestamp);
    }

    /**
     * Called when the segment is rolled: records its final maximum timestamp in the time index,
     * so a closed segment's maximum is read from the index alone (as Kafka does on roll).
     */
    private void sealTimeIndex() {
        int t = timeIndex.entries();
        if (maxTimestamp >= 0 && (t == 0 || maxTimestamp > timeIndex.keyAt(t - 1))) {
            timeIndex.append(maxTimestamp, offsetOfMaxTimestamp);
        }
    }

    /** Truncates a failed write back to {@code position} so the file ends on a batch boundary. */
    void truncateTo(int position, long offset) throws IOException {
        channel.truncate(position);
        offsetIndex.truncateValuesFrom(position);
        timeIndex.truncateValuesFrom(offset);
        size = position;
        nextOffset = offset;
    }

    /** Told of each batch header a {@link #walkHeaders} passes; returns whether to go on. */
    interface HeaderVisitor {
        boolean visit(int position, RecordBatch header) throws IOException;
    }

    /**
     * Walks the batch headers from {@code position} (where the batch {@code expectedBase} starts) to
     * the end of the segment, each checked to continue the one before ({@link #checkedHeaderAt}).
     */
    void walkHeaders(int position, long expectedBase, HeaderVisitor visitor) throws IOException {
        int limit = size;
        while (position + RECORD_BATCH_OVERHEAD <= limit) {
            RecordBatch b = checkedHeaderAt(position, limit, expectedBase);
            if (!visitor.visit(position, b)) {
                return;
            }
            position += b.sizeInBytes();
            expectedBase = b.nextOffset();
        }
    }

    /**
     * The point at the last batch boundary at or below {@code offset} in this segment, found by
     * walking headers from the index entry before the one that covers it. Its newest timestamp
     * comes from the time index before the walk plus the headers walked (as Kafka's segment
     * truncation takes it): a timestamp between two index entries may be missed, never invented.
     */
    RecoveryPoint pointAt(long offset) throws IOException {
        if (offset <= baseOffset) {
            return RecoveryPoint.emptySegment(baseOffset);
        }
        // The entry before the floor one: the walk then passes a whole batch before any boundary <= offset.
        int slot = offsetIndex.floorSlot(offset - 1) - 1;
        int start = slot < 0 ? 0 : (int) offsetIndex.valueAt(slot);
        long startOffset = slot < 0 ? baseOffset : offsetIndex.keyAt(slot);
        long[] max = {-1, -1};
        for (int t = timeIndex.entries() - 1; t >= 0; t--) {
            if (timeIndex.valueAt(t) < startOffset) {
                max[0] = timeIndex.keyAt(t);
                max[1] = timeIndex.valueAt(t);
                break;
            }
        }
        RecoveryPoint[] found = {RecoveryPoint.emptySegment(baseOffset)};
        walkHeaders(start, startOffset, (position, b) -> {
            if (b.nextOffset() > offset) {
                return false;
            }
            if (b.maxTimestamp() > max[0]) {
                max[0] = b.maxTimestamp();
                max[1] = b.baseOffset();
            }
            found[0] = new RecoveryPoint(baseOffset, position + b.sizeInBytes(), b.nextOffset(), position,
                    b.storedCrc(), max[0], max[1]);
            return true;
        });
        return found[0];
    }

    /** The leader epoch of the segment's last batch, or -1 when it has none. */
    int lastBatchEpoch() throws IOException {
        RecoveryPoint end = pointAt(nextOffset);
        return end.lastBatchPosition() < 0 ? -1
                : new RecordBatch(readAt(end.lastBatchPosition(), RECORD_BATCH_OVERHEAD), 0).partitionLeaderEpoch();
    }

    /**
     * Cuts the segment at {@code point} (a batch boundary from {@link #pointAt}) durably: the file is
     * truncated and fsynced, index entries at or past it dropped and the indexes rewritten. The
     * segment must be open for appends (the active one, or reopened by {@link #reopenForAppends}).
     */
    void cutTo(RecoveryPoint point) throws IOException {
        if (point.segmentBase() != baseOffset || point.position() > size) {
            throw new IllegalStateException("segment " + logFile + " of size=" + size + " cannot be cut at " + point);
        }
        channel.truncate(point.position());
        channel.force(true);
        offsetIndex.truncateValuesFrom(point.position());
        timeIndex.truncateValuesFrom(point.nextOffset());
        size = point.position();
        nextOffset = point.nextOffset();
        lastBatchPosition = point.lastBatchPosition();
        lastBatchCrc = point.lastBatchCrc();
        maxTimestamp = point.maxTimestamp();
        offsetOfMaxTimestamp = point.offsetOfMaxTimestamp();
        bytesSinceLastIndexEntry = indexIntervalBytes; // the next batch gets an entry
        offsetIndex.persist(io, true);
        timeIndex.persist(io, true);
    }

    /**
     * Position of the batch that holds {@code offset}, scanning batch headers from the nearest
     * index entry; -1 when the offset lies at or beyond {@code limit}.
     */
    int positionOf(long offset, int limit) throws IOException {
        int slot = offsetIndex.floorSlot(offset);
        int position = slot < 0 ? 0 : (int) offsetIndex.valueAt(slot);
        long expectedBase = slot < 0 ? baseOffset : offsetIndex.keyAt(slot);
        while (position + RECORD_BATCH_OVERHEAD <= limit) {
            RecordBatch b = checkedHeaderAt(position, limit, expectedBase);
            if (b.lastOffset() >= offset) {
                return position;
            }
            position += b.sizeInBytes();
            expectedBase = b.nextOffset();
        }
        return -1;
    }

    /**
     * Reads the header of the batch at {@code position} and checks what the scan relies on before
     * the batch's CRC is ever looked at: that it fits below {@code limit} and starts at or after the
     * end of the previous batch ({@code expectedBase}; the base offset is not under the CRC; above it
     * is a compaction gap). A closed
     * segment is trusted on open, so a damaged header is first met here: walking on from it would
     * spin (a size of 0), go backwards, or skip offsets without a word.
     */
    private RecordBatch checkedHeaderAt(int position, int limit, long expectedBase) throws IOException {
        RecordBatch b = new RecordBatch(readAt(position, RECORD_BATCH_OVERHEAD), 0);
        int batchSize = b.sizeInBytes();
        if (batchSize < RECORD_BATCH_OVERHEAD || batchSize > limit - position || b.baseOffset() < expectedBase
                || b.lastOffsetDelta() < 0) {
            throw new CorruptRecordException("batch header at " + logFile + ":" + position + " does not continue the "
                    + "segment: baseOffset=" + b.baseOffset() + " (expected " + expectedBase + ") size=" + batchSize
                    + " lastOffsetDelta=" + b.lastOffsetDelta() + " limit=" + limit);
        }
        return b;
    }

    /**
     * Reads whole batches from {@code position} up to {@code limit}: at most {@code maxBytes},
     * but always the first batch entirely, so a large batch cannot stall a reader.
     */
    ByteBuffer read(int position, int limit, int maxBytes) throws IOException {
        if (position >= limit) {
            return ByteBuffer.allocate(0);
        }
        int firstSize = RecordBatch.sizeAt(readAt(position, LOG_OVERHEAD), 0);
        int length = Math.min(limit - position, Math.max(maxBytes, firstSize));
        return readAt(position, length);
    }

    /**
     * The region of whole batches from the one that starts at {@code offset}, or from the first one
     * after it when {@code offset} lies in a compaction gap: at most {@code maxBytes}, but always that
     * first batch. Null when this segment holds no batch at or after {@code offset}.
     *
     * @throws IllegalArgumentException when {@code offset} lies inside a batch (not a boundary)
     */
    LogSlice sliceFrom(long offset, int maxBytes) throws IOException {
        int limit = size;
        int position = positionOf(offset, limit);
        if (position < 0) {
            return null;
        }
        long first = new RecordBatch(readAt(position, RECORD_BATCH_OVERHEAD), 0).baseOffset();
        if (first < offset) {
            throw new IllegalArgumentException("offset " + offset + " of " + logFile + " is inside the batch at "
                    + first + ", not where a batch starts");
        }
        int[] length = {0};
        walkHeaders(position, first, (at, b) -> {
            if (length[0] > 0 && (long) length[0] + b.sizeInBytes() > maxBytes || at + b.sizeInBytes() > limit) {
                return false;
            }
            length[0] += b.sizeInBytes();
            return true;
        });
        return new LogSlice(logFile, position, length[0]);
    }

    /** First offset with a timestamp at or after {@code timestamp}, or -1 if none below {@code limit}. */
    long offsetForTimestamp(long timestamp, int limit) throws IOException {
        int slot = timeIndex.floorSlot(timestamp);
        long startOffset = slot < 0 ? baseOffset : timeIndex.valueAt(slot);
        int position = positionOf(startOffset, limit);
        // positionOf checked the first header; its base offset is where the chain starts.
        long expectedBase = position < 0 ? -1
                : new RecordBatch(readAt(position, RECORD_BATCH_OVERHEAD), 0).baseOffset();
        while (position >= 0 && position + RECORD_BATCH_OVERHEAD <= limit) {
            RecordBatch h = checkedHeaderAt(position, limit, expectedBase);
            expectedBase = h.nextOffset();
            if (h.maxTimestamp() >= timestamp) {
                ByteBuffer batch = readAt(position, h.sizeInBytes());
                RecordBatch b = new RecordBatch(batch, 0);
                b.validate(logFile + ":" + position);
                long[] found = {-1};
                b.forEachRecord(b.baseOffset(), Integer.MAX_VALUE, r -> {
                    if (found[0] < 0 && r.timestamp() >= timestamp) {
                        found[0] = r.offset();
                    }
                });
                if (found[0] >= 0) {
                    return found[0];
                }
            }
            position += h.sizeInBytes();
        }
        return -1;
    }

    /** Reads through the active file, or through the cache of closed segments' files. */
    private ByteBuffer readAt(int position, int length) throws IOException {
        FileChannel ch = channel;
        if (ch != null) {
            return readFully(ch, position, length);
        }
        try (SegmentFileCache.Handle h = files.acquire(logFile)) {
            if (replaced) {
                // The path may already name the cleaned file, whose positions differ from this segment's.
                throw new NoSuchFileException(logFile.toString(), null, "segment replaced by compaction");
            }
            return readFully(h.channel(), position, length);
        }
    }

    private ByteBuffer readFully(FileChannel ch, int position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = ch.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new CorruptRecordException("segment " + logFile + " ends at " + (position + buffer.position())
                        + " inside a batch that claims " + length + " bytes from " + position);
            }
        }
        return buffer.flip();
    }

    /**
     * Makes the appended bytes durable (group commit). Runs beside the writer, which may roll the
     * segment meanwhile: a roll fsyncs the whole file first, so a file it closed needs nothing more.
     */
    void flush() throws IOException {
        FileChannel ch = channel;
        if (ch == null) {
            return;
        }
        try {
            ch.force(false);
        } catch (ClosedChannelException e) {
            if (channel != null) {
                throw e;
            }
        }
    }

    /** Writes the indexes' new entries to their files, without an fsync (they are rebuildable). */
    void persistIndexes() throws IOException {
        offsetIndex.persist(io, false);
        timeIndex.persist(io, false);
    }

    /** Makes the log file durable with its metadata (its size): at a roll and at close. */
    void flushLog() throws IOException {
        channel.force(true);
    }

    /**
     * Seals the time index and writes both indexes durably: at a roll and at close. Their files may
     * be new; the directory fsync of the next segment's creation makes their names durable. A
     * failure here loses nothing (indexes are rebuilt from the log) and is not a disk failure of the log.
     */
    void persistIndexesDurably() throws IOException {
        sealTimeIndex();
        offsetIndex.persist(io, true);
        timeIndex.persist(io, true);
    }

    /** The segment was rolled: its file goes to the cache of closed segments' files. */
    void closeForAppends() {
        files.adopt(logFile, channel);
        channel = null;
    }

    /** Writes the indexes of a closed segment that recovery rebuilt, durably. */
    void persistRebuiltIndexes() throws IOException {
        offsetIndex.persist(io, true);
        timeIndex.persist(io, true);
    }

    long baseOffset() {
        return baseOffset;
    }

    long nextOffset() {
        return nextOffset;
    }

    int size() {
        return size;
    }

    long maxTimestamp() {
        return maxTimestamp;
    }

    long createdAtMs() {
        return createdAtMs;
    }

    Path file() {
        return logFile;
    }

    Path offsetIndexFile() {
        return offsetIndex.file();
    }

    Path timeIndexFile() {
        return timeIndex.file();
    }

    /** Closes the active file, if open, and forgets any cached one. */
    void close() throws IOException {
        FileChannel ch = channel;
        channel = null;
        files.discard(logFile);
        if (ch != null) {
            ch.close();
        }
    }

    /** Removes the segment's files; a reader holding the file open through the cache finishes first. */
    void delete() throws IOException {
        io.deleteIfExists(logFile);
        offsetIndex.unlink(io);
        timeIndex.unlink(io);
        close();
    }
}
