package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One file of a partition's log, named by its zero-padded base offset, with its sparse offset and
 * time indexes. The segment owns the invariant that its file is a sequence of valid batches with
 * dense offsets starting at the base offset; {@link #recover} restores it after a crash.
 *
 * <p>Only the partition's writer appends, truncates and flushes; readers use positional reads
 * bounded by a size the writer has published.
 */
final class LogSegment implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LogSegment.class.getName());
    static final String LOG_SUFFIX = ".log";

    private final Path dir;
    private final long baseOffset;
    private final Path logFile;
    private final FileChannel channel;
    private final int indexIntervalBytes;
    private final long createdAtMs;
    private SparseIndex offsetIndex;
    private SparseIndex timeIndex;
    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = -1;
    private long offsetOfMaxTimestamp = -1;
    private int bytesSinceLastIndexEntry;

    private LogSegment(Path dir, long baseOffset, FileChannel channel, int indexIntervalBytes, long createdAtMs) {
        this.dir = dir;
        this.baseOffset = baseOffset;
        this.logFile = logPath(dir, baseOffset);
        this.channel = channel;
        this.indexIntervalBytes = indexIntervalBytes;
        this.createdAtMs = createdAtMs;
        this.nextOffset = baseOffset;
    }

    static String fileStem(long baseOffset) {
        return String.format("%020d", baseOffset);
    }

    static Path logPath(Path dir, long baseOffset) {
        return dir.resolve(fileStem(baseOffset) + LOG_SUFFIX);
    }

    static LogSegment create(Path dir, long baseOffset, int indexIntervalBytes, long nowMs) throws IOException {
        FileChannel ch = FileChannel.open(logPath(dir, baseOffset), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        LogSegment segment = new LogSegment(dir, baseOffset, ch, indexIntervalBytes, nowMs);
        segment.offsetIndex = SparseIndex.create(dir, baseOffset, SparseIndex.Kind.OFFSET);
        segment.timeIndex = SparseIndex.create(dir, baseOffset, SparseIndex.Kind.TIME);
        return segment;
    }

    /**
     * Opens a closed segment whose successor starts at {@code nextOffset}: its indexes are trusted
     * when they load cleanly and rebuilt by a full scan when they do not.
     */
    static LogSegment openClosed(Path dir, long baseOffset, long nextOffset, int indexIntervalBytes)
            throws IOException {
        LogSegment segment = open(dir, baseOffset, indexIntervalBytes);
        segment.offsetIndex = SparseIndex.load(dir, baseOffset, SparseIndex.Kind.OFFSET, segment.size);
        segment.timeIndex = SparseIndex.load(dir, baseOffset, SparseIndex.Kind.TIME, nextOffset);
        if (segment.offsetIndex == null || segment.timeIndex == null) {
            segment.rebuildIndexes();
        } else {
            segment.nextOffset = nextOffset;
            int t = segment.timeIndex.entries();
            segment.maxTimestamp = t == 0 ? -1 : segment.timeIndex.keyAt(t - 1);
        }
        return segment;
    }

    /** Opens the last segment of a log and validates it from its last index entry on. */
    static LogSegment openActive(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        LogSegment segment = open(dir, baseOffset, indexIntervalBytes);
        segment.offsetIndex = SparseIndex.load(dir, baseOffset, SparseIndex.Kind.OFFSET, segment.size);
        segment.timeIndex = SparseIndex.load(dir, baseOffset, SparseIndex.Kind.TIME, Long.MAX_VALUE);
        int cut;
        if (segment.offsetIndex == null || segment.timeIndex == null) {
            LOG.log(System.Logger.Level.WARNING, "{0}: indexes missing or damaged, rebuilding them", segment.logFile);
            cut = segment.rebuildIndexes();
        } else {
            cut = segment.recover();
        }
        if (cut > 0) {
            LOG.log(System.Logger.Level.WARNING, "{0}: cut {1} bytes of torn or corrupt tail, log end is now offset {2}",
                    segment.logFile, cut, segment.nextOffset);
        }
        return segment;
    }

    private static LogSegment open(Path dir, long baseOffset, int indexIntervalBytes) throws IOException {
        Path file = logPath(dir, baseOffset);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long created = Files.getLastModifiedTime(file).toMillis();
        LogSegment segment = new LogSegment(dir, baseOffset, ch, indexIntervalBytes, created);
        long fileSize = ch.size();
        if (fileSize > Integer.MAX_VALUE) {
            throw new CorruptRecordException("segment " + file + " is larger than 2 GiB: " + fileSize);
        }
        segment.size = (int) fileSize;
        return segment;
    }

    private int rebuildIndexes() throws IOException {
        if (offsetIndex != null) {
            offsetIndex.close();
        }
        if (timeIndex != null) {
            timeIndex.close();
        }
        offsetIndex = SparseIndex.create(dir, baseOffset, SparseIndex.Kind.OFFSET);
        timeIndex = SparseIndex.create(dir, baseOffset, SparseIndex.Kind.TIME);
        return recoverFrom(0, baseOffset);
    }

    /**
     * Validates every batch after the last offset-index entry and truncates the file at the first
     * torn or corrupt one. Entries of either index that point past the cut are dropped.
     *
     * @return the number of bytes truncated
     */
    int recover() throws IOException {
        int slot = offsetIndex.entries() - 1;
        // The last entry may point at a batch that never fully reached the disk: start one earlier.
        while (slot >= 0 && offsetIndex.valueAt(slot) >= size) {
            slot--;
        }
        slot = Math.max(-1, slot - 1);
        int position = slot < 0 ? 0 : (int) offsetIndex.valueAt(slot);
        long expectedOffset = slot < 0 ? baseOffset : offsetIndex.keyAt(slot);
        offsetIndex.truncateToSlot(Math.max(slot, 0)); // the kept slot is indexed again below
        timeIndex.truncateValuesFrom(expectedOffset);
        int t = timeIndex.entries();
        maxTimestamp = t == 0 ? -1 : timeIndex.keyAt(t - 1);
        offsetOfMaxTimestamp = t == 0 ? -1 : timeIndex.valueAt(t - 1);
        return recoverFrom(position, expectedOffset);
    }

    private int recoverFrom(int position, long expectedOffset) throws IOException {
        int fileSize = size;
        bytesSinceLastIndexEntry = indexIntervalBytes; // index the first batch we validate
        nextOffset = expectedOffset;
        while (position < fileSize) {
            ByteBuffer batch = readValidBatch(position, fileSize, expectedOffset);
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
            channel.truncate(position);
            channel.force(true);
        }
        size = position;
        return truncated;
    }

    /** Reads and validates the batch at {@code position}; null where the log is torn or corrupt. */
    private ByteBuffer readValidBatch(int position, int fileSize, long expectedOffset) throws IOException {
        if (fileSize - position < RECORD_BATCH_OVERHEAD) {
            return null;
        }
        ByteBuffer header = readAt(position, LOG_OVERHEAD);
        int batchSize = RecordBatch.sizeAt(header, 0);
        if (batchSize < RECORD_BATCH_OVERHEAD || batchSize > fileSize - position) {
            return null;
        }
        ByteBuffer batch = readAt(position, batchSize);
        RecordBatch b = new RecordBatch(batch, 0);
        try {
            b.validate(logFile + ":" + position);
        } catch (CorruptRecordException e) {
            return null;
        }
        return b.baseOffset() == expectedOffset ? batch : null;
    }

    /**
     * Appends batches whose base offsets are already stamped, in one gathering write.
     * Writer thread only.
     */
    void append(List<ByteBuffer> batches) throws IOException {
        int position = size;
        long total = 0;
        ByteBuffer[] buffers = new ByteBuffer[batches.size()];
        for (int i = 0; i < buffers.length; i++) {
            ByteBuffer batch = batches.get(i);
            RecordBatch b = new RecordBatch(batch, 0);
            if (b.baseOffset() != nextOffset) {
                throw new IllegalStateException("segment " + logFile + " expects offset=" + nextOffset
                        + " but batch starts at " + b.baseOffset());
            }
            indexBatch((int) (position + total), b);
            nextOffset = b.nextOffset();
            buffers[i] = batch.duplicate().clear();
            total += batch.limit();
        }
        long written = 0;
        channel.position(position);
        while (written < total) {
            written += channel.write(buffers);
        }
        size = (int) (position + total);
    }

    private void indexBatch(int position, RecordBatch batch) throws IOException {
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
    }

    /**
     * Called when the segment is rolled: records its final maximum timestamp in the time index,
     * so a closed segment's maximum is read from the index alone (as Kafka does on roll).
     */
    void sealTimeIndex() throws IOException {
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
     * the batch's CRC is ever looked at: that it fits below {@code limit} and starts where the
     * previous batch ended ({@code expectedBase}; the base offset is not under the CRC). A closed
     * segment is trusted on open, so a damaged header is first met here: walking on from it would
     * spin (a size of 0), go backwards, or skip offsets without a word.
     */
    private RecordBatch checkedHeaderAt(int position, int limit, long expectedBase) throws IOException {
        RecordBatch b = new RecordBatch(readAt(position, RECORD_BATCH_OVERHEAD), 0);
        int size = b.sizeInBytes();
        if (size < RECORD_BATCH_OVERHEAD || size > limit - position || b.baseOffset() != expectedBase
                || b.lastOffsetDelta() < 0) {
            throw new CorruptRecordException("batch header at " + logFile + ":" + position + " does not continue the "
                    + "segment: baseOffset=" + b.baseOffset() + " (expected " + expectedBase + ") size=" + size
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

    private ByteBuffer readAt(int position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new CorruptRecordException("segment " + logFile + " ends at " + (position + buffer.position())
                        + " inside a batch that claims " + length + " bytes from " + position);
            }
        }
        return buffer.flip();
    }

    void flush() throws IOException {
        channel.force(false);
    }

    /** Makes the log and both indexes durable: done once, when the segment is rolled. */
    void flushAll() throws IOException {
        channel.force(true);
        offsetIndex.flush();
        timeIndex.flush();
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

    @Override
    public void close() throws IOException {
        channel.close();
        offsetIndex.close();
        timeIndex.close();
    }

    /**
     * Removes the segment's files. With {@code closeNow} false the channels stay open, so a reader
     * holding this segment can still finish (the caller closes it later).
     */
    void delete(boolean closeNow) throws IOException {
        if (closeNow) {
            close();
        }
        Files.deleteIfExists(logFile);
        offsetIndex.unlink();
        timeIndex.unlink();
    }
}
