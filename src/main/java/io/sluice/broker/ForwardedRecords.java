package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Header;
import io.sluice.log.LogRecord;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records read on a partition's leader for a client of another broker, as they travel back to
 * that broker: already decoded and checked by the leader (whether they came from a local segment
 * or the object store), so the other broker only unpacks them.
 *
 * <p>Layout, big-endian: int32 count, then per record int64 offset, int64 timestamp, key and value
 * as int32 length (-1: null) and bytes, int32 header count, and per header an int32-length UTF-8
 * key and a value as above.
 */
final class ForwardedRecords {
    private static final int NULL_LENGTH = -1;

    private ForwardedRecords() {
    }

    static ByteBuffer encode(List<LogRecord> records) {
        int size = Integer.BYTES;
        for (LogRecord r : records) {
            size += 2 * Long.BYTES + bytesSize(r.key()) + bytesSize(r.value()) + Integer.BYTES;
            for (Header h : r.headers()) {
                size += Integer.BYTES + h.key().getBytes(StandardCharsets.UTF_8).length + bytesSize(h.value());
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putInt(records.size());
        for (LogRecord r : records) {
            out.putLong(r.offset()).putLong(r.timestamp());
            putBytes(out, r.key());
            putBytes(out, r.value());
            out.putInt(r.headers().size());
            for (Header h : r.headers()) {
                putBytes(out, h.key().getBytes(StandardCharsets.UTF_8));
                putBytes(out, h.value());
            }
        }
        return out.flip();
    }

    static List<LogRecord> decode(ByteBuffer in) {
        try {
            int count = in.getInt();
            checkCount(count, in, 2 * Long.BYTES + 3 * Integer.BYTES);
            List<LogRecord> records = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long offset = in.getLong();
                long timestamp = in.getLong();
                byte[] key = getBytes(in);
                byte[] value = getBytes(in);
                int headerCount = in.getInt();
                checkCount(headerCount, in, 2 * Integer.BYTES);
                List<Header> headers = new ArrayList<>(headerCount);
                for (int h = 0; h < headerCount; h++) {
                    byte[] headerKey = getBytes(in);
                    if (headerKey == null) {
                        throw malformed("a header without a key");
                    }
                    headers.add(new Header(new String(headerKey, StandardCharsets.UTF_8), getBytes(in)));
                }
                records.add(new LogRecord(offset, timestamp, key, value, headers));
            }
            if (in.hasRemaining()) {
                throw malformed(in.remaining() + " bytes after the last record");
            }
            return records;
        } catch (BufferUnderflowException e) {
            throw malformed("truncated");
        }
    }

    private static int bytesSize(byte[] b) {
        return Integer.BYTES + (b == null ? 0 : b.length);
    }

    private static void putBytes(ByteBuffer out, byte[] b) {
        if (b == null) {
            out.putInt(NULL_LENGTH);
        } else {
            out.putInt(b.length).put(b);
        }
    }

    private static byte[] getBytes(ByteBuffer in) {
        int length = in.getInt();
        if (length == NULL_LENGTH) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw malformed("a length of " + length + " with " + in.remaining() + " bytes left");
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }

    private static void checkCount(int count, ByteBuffer in, int minBytesEach) {
        if (count < 0 || (long) count * minBytesEach > in.remaining()) {
            throw malformed("a count of " + count + " with " + in.remaining() + " bytes left");
        }
    }

    private static SluiceException malformed(String why) {
        return new SluiceException(ErrorCode.STORAGE_ERROR, "records forwarded by the leader are malformed: " + why);
    }
}
