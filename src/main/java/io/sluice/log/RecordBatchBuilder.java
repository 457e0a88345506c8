package io.sluice.log;

import static io.sluice.log.RecordBatchDescriptor.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes records into one uncompressed v2 record batch, CRC included. The base offset is left
 * at 0: the partition's writer stamps it at append time (the CRC does not cover it), so encoding
 * runs on the request's thread and the single writer only copies bytes.
 */
public final class RecordBatchBuilder {
    private RecordBatchBuilder() {
    }

    public static ByteBuffer build(List<Record> records) {
        return build(0L, NO_PARTITION_LEADER_EPOCH, records);
    }

    public static ByteBuffer build(long baseOffset, int partitionLeaderEpoch, List<Record> records) {
        if (records.isEmpty()) {
            throw new IllegalArgumentException("a record batch needs at least one record");
        }
        long baseTimestamp = records.get(0).timestamp();
        long maxTimestamp = Long.MIN_VALUE;
        int size = RECORD_BATCH_OVERHEAD;
        byte[][][] headerKeys = new byte[records.size()][][];
        int[] bodySizes = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Record r = records.get(i);
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            headerKeys[i] = utf8Keys(r.headers());
            int body = bodySize(r, i, r.timestamp() - baseTimestamp, headerKeys[i]);
            bodySizes[i] = body;
            size += Varint.sizeOfInt(body) + body;
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(BASE_OFFSET_OFFSET, baseOffset);
        buf.putInt(LENGTH_OFFSET, size - LOG_OVERHEAD);
        buf.putInt(PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch);
        buf.put(MAGIC_OFFSET, MAGIC);
        buf.putShort(ATTRIBUTES_OFFSET, (short) 0);
        buf.putInt(LAST_OFFSET_DELTA_OFFSET, records.size() - 1);
        buf.putLong(BASE_TIMESTAMP_OFFSET, baseTimestamp);
        buf.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
        buf.putLong(PRODUCER_ID_OFFSET, NO_PRODUCER_ID);
        buf.putShort(PRODUCER_EPOCH_OFFSET, NO_PRODUCER_EPOCH);
        buf.putInt(BASE_SEQUENCE_OFFSET, NO_SEQUENCE);
        buf.putInt(RECORDS_COUNT_OFFSET, records.size());
        buf.position(RECORDS_OFFSET);
        for (int i = 0; i < records.size(); i++) {
            writeRecord(buf, records.get(i), i, baseTimestamp, bodySizes[i], headerKeys[i]);
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException("batch size mismatch: computed=" + size + " written=" + buf.position());
        }
        buf.putInt(CRC_OFFSET, (int) crc(buf));
        return buf.clear();
    }

    /**
     * Re-encodes the records compaction kept of {@code original}, each at its own offset delta and
     * timestamp, under a header that keeps what was written: base offset, last offset delta, leader
     * epoch, attributes and producer fields (as Kafka's {@code MemoryRecords.filterTo} does for v2).
     * The base timestamp is the first kept record's; the max timestamp the kept records' maximum.
     */
    static ByteBuffer rebuild(RecordBatch original, List<LogRecord> kept) {
        if (kept.isEmpty()) {
            throw new IllegalArgumentException("a rebuilt batch needs at least one record");
        }
        long base = original.baseOffset();
        long baseTimestamp = kept.get(0).timestamp();
        long maxTimestamp = Long.MIN_VALUE;
        int size = RECORD_BATCH_OVERHEAD;
        Record[] records = new Record[kept.size()];
        byte[][][] headerKeys = new byte[kept.size()][][];
        int[] bodySizes = new int[kept.size()];
        for (int i = 0; i < records.length; i++) {
            LogRecord r = kept.get(i);
            records[i] = new Record(r.key(), r.value(), r.timestamp(), r.headers());
            maxTimestamp = Math.max(maxTimestamp, r.timestamp());
            headerKeys[i] = utf8Keys(r.headers());
            bodySizes[i] = bodySize(records[i], (int) (r.offset() - base), r.timestamp() - baseTimestamp, headerKeys[i]);
            size += Varint.sizeOfInt(bodySizes[i]) + bodySizes[i];
        }
        ByteBuffer buf = ByteBuffer.allocate(size);
        buf.putLong(BASE_OFFSET_OFFSET, base);
        buf.putInt(LENGTH_OFFSET, size - LOG_OVERHEAD);
        buf.putInt(PARTITION_LEADER_EPOCH_OFFSET, original.partitionLeaderEpoch());
        buf.put(MAGIC_OFFSET, MAGIC);
        buf.putShort(ATTRIBUTES_OFFSET, original.attributes());
        buf.putInt(LAST_OFFSET_DELTA_OFFSET, original.lastOffsetDelta());
        buf.putLong(BASE_TIMESTAMP_OFFSET, baseTimestamp);
        buf.putLong(MAX_TIMESTAMP_OFFSET, maxTimestamp);
        ByteBuffer from = original.headerBytes();
        buf.putLong(PRODUCER_ID_OFFSET, from.getLong(PRODUCER_ID_OFFSET));
        buf.putShort(PRODUCER_EPOCH_OFFSET, from.getShort(PRODUCER_EPOCH_OFFSET));
        buf.putInt(BASE_SEQUENCE_OFFSET, from.getInt(BASE_SEQUENCE_OFFSET));
        buf.putInt(RECORDS_COUNT_OFFSET, records.length);
        buf.position(RECORDS_OFFSET);
        for (int i = 0; i < records.length; i++) {
            writeRecord(buf, records[i], (int) (kept.get(i).offset() - base), baseTimestamp, bodySizes[i],
                    headerKeys[i]);
        }
        if (buf.hasRemaining()) {
            throw new IllegalStateException("batch size mismatch: computed=" + size + " written=" + buf.position());
        }
        buf.putInt(CRC_OFFSET, (int) crc(buf));
        return buf.clear();
    }

    /** CRC32C of the bytes from the attributes to the end of the batch starting at position 0. */
    static long crc(ByteBuffer batch) {
        CRC32C crc = new CRC32C();
        crc.update(batch.duplicate().position(ATTRIBUTES_OFFSET).limit(batch.limit()));
        return crc.getValue();
    }

    private static byte[][] utf8Keys(List<Header> headers) {
        byte[][] keys = new byte[headers.size()][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = headers.get(i).key().getBytes(StandardCharsets.UTF_8);
        }
        return keys;
    }

    /**
     * The bytes one record takes in a batch (its length varint included) at {@code offsetDelta}
     * and {@code timestampDelta} from the batch's base: Kafka's {@code DefaultRecord.sizeInBytes}.
     * A batch is {@link RecordBatchDescriptor#RECORD_BATCH_OVERHEAD} plus the sum of its records'.
     */
    public static int sizeInBatch(byte[] key, byte[] value, List<Header> headers, int offsetDelta,
            long timestampDelta) {
        int body = 1 + Varint.sizeOfLong(timestampDelta) + Varint.sizeOfInt(offsetDelta) + sizeOfBytes(key)
                + sizeOfBytes(value) + Varint.sizeOfInt(headers.size());
        for (Header h : headers) {
            int keyLength = utf8Length(h.key());
            body += Varint.sizeOfInt(keyLength) + keyLength + sizeOfBytes(h.value());
        }
        return Varint.sizeOfInt(body) + body;
    }

    /** Length of {@code s} in UTF-8 without encoding it (an unpaired surrogate encodes as '?', 1 byte). */
    private static int utf8Length(String s) {
        int length = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1;
            } else {
                length += 3;
            }
        }
        return length;
    }

    private static int bodySize(Record r, int offsetDelta, long timestampDelta, byte[][] headerKeys) {
        int size = 1 + Varint.sizeOfLong(timestampDelta) + Varint.sizeOfInt(offsetDelta)
                + sizeOfBytes(r.key()) + sizeOfBytes(r.value()) + Varint.sizeOfInt(headerKeys.length);
        for (int h = 0; h < headerKeys.length; h++) {
            size += sizeOfBytes(headerKeys[h]) + sizeOfBytes(r.headers().get(h).value());
        }
        return size;
    }

    private static int sizeOfBytes(byte[] bytes) {
        return bytes == null ? Varint.sizeOfInt(-1) : Varint.sizeOfInt(bytes.length) + bytes.length;
    }

    private static void writeRecord(ByteBuffer buf, Record r, int offsetDelta, long baseTimestamp,
            int bodySize, byte[][] headerKeys) {
        Varint.writeInt(bodySize, buf);
        buf.put((byte) 0);
        Varint.writeLong(r.timestamp() - baseTimestamp, buf);
        Varint.writeInt(offsetDelta, buf);
        writeBytes(buf, r.key());
        writeBytes(buf, r.value());
        Varint.writeInt(headerKeys.length, buf);
        for (int h = 0; h < headerKeys.length; h++) {
            writeBytes(buf, headerKeys[h]);
            writeBytes(buf, r.headers().get(h).value());
        }
    }

    private static void writeBytes(ByteBuffer buf, byte[] bytes) {
        if (bytes == null) {
            Varint.writeInt(-1, buf);
        } else {
            Varint.writeInt(bytes.length, buf);
            buf.put(bytes);
        }
    }
}
