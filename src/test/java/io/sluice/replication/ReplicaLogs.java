package io.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.log.LogRecord;
import io.sluice.log.LogSlice;
import io.sluice.log.PartitionLog;
import io.sluice.log.RecordBatch;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the cluster tests read back from replicas' logs (batches as stored, records by offset) */
final class ReplicaLogs {
    private ReplicaLogs() {
    }

    /** The log's batches below {@code end}, as stored. */
    static List<byte[]> batchesBelow(PartitionLog log, long end) {
        List<byte[]> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < end) {
            LogSlice slice = log.readForReplica(offset, 64 * 1024);
            ByteBuffer bytes = read(slice);
            int pos = 0;
            while (pos < bytes.limit() && offset < end) {
                RecordBatch b = new RecordBatch(bytes, pos);
                byte[] copy = new byte[b.sizeInBytes()];
                bytes.get(pos, copy);
                out.add(copy);
                offset = b.nextOffset();
                pos += b.sizeInBytes();
            }
        }
        return out;
    }

    static ByteBuffer read(LogSlice slice) {
        ByteBuffer b = ByteBuffer.allocate(slice.length());
        try (FileChannel ch = FileChannel.open(slice.file(), StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, slice.position() + b.position()) < 0) {
                    throw new AssertionError("slice " + slice + " runs past its file");
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return b.flip();
    }

    /** Every record below the high watermark by offset, checking that offsets are dense. */
    static Map<Long, String> values(PartitionLog log) {
        Map<Long, String> values = new HashMap<>();
        long next = log.logStartOffset();
        while (next < log.highWatermark()) {
            PartitionLog.ReadResult r = log.read(next, 64 * 1024, 1000);
            for (LogRecord rec : r.records()) {
                assertEquals(next, rec.offset(), "offsets are dense");
                values.put(rec.offset(), new String(rec.value(), StandardCharsets.UTF_8));
                next++;
            }
            if (r.records().isEmpty()) {
                break;
            }
        }
        return values;
    }
}
