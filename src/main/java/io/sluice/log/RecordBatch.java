package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * A read-only view (flyweight) of one v2 record batch inside a buffer, from {@code start}. Header
 * getters are one absolute read; {@link #validate} checks magic, length and CRC before any record
 * is decoded, so a corrupt batch is never served.
 */
public final class RecordBatch {
    private final ByteBuffer buf;
    private final int start;

    public RecordBatch(ByteBuffer buf, int start) {
        this.buf = buf;
        this.start = start;
    }

    /** Whole size of the batch at {@code start}, header included, as its length field claims. */
    public static int sizeAt(ByteBuffer buf, int start) {
        return LOG_OVERHEAD + buf.getInt(start + LENGTH_OFFSET);
    }

    public long baseOffset() {
        return buf.getLong(start + BASE_OFFSET_OFFSET);
    }

    public int sizeInBytes() {
        return sizeAt(buf, start);
    }

    public int partitionLeaderEpoch() {
        return buf.getInt(start + PARTITION_LEADER_EPOCH_OFFSET);
    }

    public byte magic() {
        return buf.get(start + MAGIC_OFFSET);
    }

    public long storedCrc() {
        return Integer.toUnsignedLong(buf.getInt(start + CRC_OFFSET));
    }

    public short attributes() {
        return buf.getShort(start + ATTRIBUTES_OFFSET);
    }

    public int lastOffsetDelta() {
        return buf.getInt(start + LAST_OFFSET_DELTA_OFFSET);
    }

    public long lastOffset() {
        return baseOffset() + lastOffsetDelta();
    }

    public long nextOffset() {
        return lastOffset() + 1;
    }

    public long baseTimestamp() {
        return buf.getLong(start + BASE_TIMESTAMP_OFFSET);
    }

    public long maxTimestamp() {
        return buf.getLong(start + MAX_TIMESTAMP_OFFSET);
    }

    public int recordCount() {
        return buf.getInt(start + RECORDS_COUNT_OFFSET);
    }

    /** The batch's header bytes (a copy), positioned at 0: for fields without a getter. */
    ByteBuffer headerBytes() {
        return ByteBuffer.allocate(RECORD_BATCH_OVERHEAD)
                .put(buf.duplicate().limit(start + RECORD_BATCH_OVERHEAD).position(start)).flip();
    }

    /** The whole batch as its own buffer (shared bytes), positioned at 0. */
    ByteBuffer slice() {
        return buf.slice(start, sizeInBytes());
    }

    public void setBaseOffset(long baseOffset) {
        buf.putLong(start + BASE_OFFSET_OFFSET, baseOffset);
    }

    public void setPartitionLeaderEpoch(int epoch) {
        buf.putInt(start + PARTITION_LEADER_EPOCH_OFFSET, epoch);
    }

    public long computeCrc() {
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().limit(start + sizeInBytes()).position(start + ATTRIBUTES_OFFSET));
        return crc.getValue();
    }

    /**
     * Checks that the batch is one we can serve: magic 2, a length that fits the buffer, no
     * compression, a matching CRC, and between one and {@code lastOffsetDelta + 1} records. Fewer
     * records than the offset delta spans is legal (as in Kafka): compaction removes records from a
     * batch and keeps its header's base offset and last offset delta, so offsets have gaps.
     *
     * @param where names the file and position for the error message
     */
    public void validate(String where) {
        int size = sizeInBytes();
        if (size < RECORD_BATCH_OVERHEAD || start + size > buf.limit()) {
            throw new CorruptRecordException("batch size=" + size + " out of bounds at " + where);
        }
        if (magic() != MAGIC) {
            throw new CorruptRecordException("batch magic=" + magic() + " (expected " + MAGIC + ") at " + where);
        }
        long computed = computeCrc();
        if (computed != storedCrc()) {
            throw new CorruptRecordException("batch crc=" + storedCrc() + " computed=" + computed + " at " + where);
        }
        if ((attributes() & COMPRESSION_CODEC_MASK) != 0) {
            throw new CorruptRecordException("compressed batches are not supported, at " + where);
        }
        if (lastOffsetDelta() < 0 || recordCount() <= 0 || recordCount() > lastOffsetDelta() + 1L) {
            throw new CorruptRecordException("batch count=" + recordCount() + " lastOffsetDelta="
                    + lastOffsetDelta() + " at " + where);
        }
    }

    /**
     * {@link #validate} plus density: a batch a client produced (the leader assigns its offsets) holds
     * exactly {@code lastOffsetDelta + 1} records; only compaction may leave gaps.
     */
    public void validateDense(String where) {
        validate(where);
        if (recordCount() != lastOffsetDelta() + 1) {
            throw new CorruptRecordException("a produced batch must have dense offsets: count=" + recordCount()
                    + " lastOffsetDelta=" + lastOffsetDelta() + " at " + where);
        }
    }

    /** Decodes every record at or above {@code fromOffset}, at most {@code max} of them. */
    public int forEachRecord(long fromOffset, int max, Consumer<LogRecord> sink) {
        ByteBuffer b = buf.duplicate().limit(start + sizeInBytes()).position(start + RECORDS_OFFSET);
        long baseOffset = baseOffset();
        long baseTimestamp = baseTimestamp();
        int count = recordCount();
        int lastDelta = lastOffsetDelta();
        int emitted = 0;
        int previousDelta = -1;
        try {
            for (int i = 0; i < count && emitted < max; i++) {
                int bodySize = Varint.readInt(b);
                int end = b.position() + bodySize;
                b.get(); // record attributes, unused in v2
                long timestamp = baseTimestamp + Varint.readLong(b);
                int delta = Varint.readInt(b);
                // Gaps are legal (compaction), disorder is not: a reader's offsets must only grow.
                if (delta <= previousDelta || delta > lastDelta) {
                    throw new CorruptRecordException("record offset delta=" + delta + " after delta=" + previousDelta
                            + " (lastOffsetDelta=" + lastDelta + ") in batch at base offset " + baseOffset);
                }
                previousDelta = delta;
                long offset = baseOffset + delta;
                if (offset < fromOffset) {
                    b.position(end);
                    continue;
                }
                byte[] key = readBytes(b);
                byte[] value = readBytes(b);
                int headerCount = Varint.readInt(b);
                List<Header> headers = headerCount == 0 ? List.of() : new ArrayList<>(headerCount);
                for (int h = 0; h < headerCount; h++) {
                    byte[] hk = readBytes(b);
                    headers.add(new Header(new String(hk, StandardCharsets.UTF_8), readBytes(b)));
                }
                if (b.position() != end) {
                    throw new CorruptRecordException("record at offset " + offset + " has size " + bodySize
                            + " but decodes to " + (b.position() - end + bodySize));
                }
                sink.accept(new LogRecord(offset, timestamp, key, value, headers));
                emitted++;
            }
        } catch (RuntimeException e) {
            if (e instanceof CorruptRecordException c) {
                throw c;
            }
            throw new CorruptRecordException("undecodable record in batch at base offset " + baseOffset + ": " + e);
        }
        return emitted;
    }

    private static byte[] readBytes(ByteBuffer b) {
        int length = Varint.readInt(b);
        if (length < 0) {
            return null;
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return bytes;
    }
}
