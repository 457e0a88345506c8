package io.sluice.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Decoding a run of whole batches read from a segment, local or remote. */
public final class RecordBatches {
    private RecordBatches() {
    }

    /**
     * Validates and decodes the batches in {@code bytes} (which starts on a batch boundary), adding
     * the records at or above {@code fromOffset} to {@code into} until it holds {@code maxRecords}.
     * A partial batch at the end (a size-bounded read) is left out; a first batch that overruns
     * the bytes, or any batch that fails its checks, is corrupt. Offsets may have gaps (a compacted
     * log): a batch may start above the previous one's end, never below it.
     *
     * @return where a reader goes on from: past the last batch decoded whole (so a read that lands in
     *         a gap, or in a batch compaction emptied up to its end, still moves on), or after the last
     *         record taken when {@code maxRecords} stopped it inside a batch; {@code fromOffset} when
     *         nothing was decoded
     * @param where names the file or object, for error messages
     * @param filePosition where {@code bytes} starts in that file
     */
    public static long decode(ByteBuffer bytes, long fromOffset, int maxRecords, String where, long filePosition,
            List<LogRecord> into) {
        long next = fromOffset;
        int at = 0;
        long expectedBase = -1; // the first batch's base offset is checked by whoever found its position
        while (into.size() < maxRecords && bytes.limit() - at >= RecordBatchDescriptor.LOG_OVERHEAD) {
            int size = RecordBatch.sizeAt(bytes, at);
            if (size > bytes.limit() - at) {
                if (at == 0) {
                    throw new CorruptRecordException("batch size=" + size + " overruns " + where + ":" + filePosition);
                }
                break;
            }
            RecordBatch batch = new RecordBatch(bytes, at);
            String position = where + ":" + (filePosition + at);
            batch.validate(position);
            // The CRC does not cover the base offset: a batch must also start at or after the previous one's end.
            if (expectedBase >= 0 && batch.baseOffset() < expectedBase) {
                throw new CorruptRecordException("batch baseOffset=" + batch.baseOffset() + " (expected at least "
                        + expectedBase + ") at " + position);
            }
            int room = maxRecords - into.size();
            int taken = batch.forEachRecord(fromOffset, room, into::add);
            if (taken == room && taken > 0 && into.get(into.size() - 1).offset() < batch.lastOffset()) {
                return into.get(into.size() - 1).offset() + 1; // stopped inside the batch: maybe more in it
            }
            next = Math.max(next, batch.nextOffset());
            expectedBase = batch.nextOffset();
            at += size;
        }
        return next;
    }

    /**
     * Splits a run of whole batches whose offsets and epochs are already set (a follower's fetch) into
     * one buffer per batch, after checking every one of them: each validates (size, magic, CRC), each
     * starts at or after the end of the one before (a compacted leader's log has gaps), and nothing
     * is left over. Nothing is split before all pass.
     *
     * @throws CorruptRecordException naming {@code where} and the position of the first bad batch
     */
    static List<ByteBuffer> splitValidated(ByteBuffer bytes, String where) {
        ByteBuffer all = bytes.slice();
        if (!all.hasRemaining()) {
            throw new CorruptRecordException("no batch in " + where);
        }
        List<int[]> bounds = new ArrayList<>();
        int at = 0;
        long expectedBase = -1;
        while (at < all.limit()) {
            if (all.limit() - at < RecordBatchDescriptor.LOG_OVERHEAD) {
                throw new CorruptRecordException(where + ": " + (all.limit() - at) + " bytes at " + at
                        + " are not a whole batch");
            }
            RecordBatch batch = new RecordBatch(all, at);
            batch.validate(where + ":" + at);
            if (expectedBase >= 0 && batch.baseOffset() < expectedBase) {
                throw new CorruptRecordException("batch baseOffset=" + batch.baseOffset() + " (expected at least "
                        + expectedBase + ") at " + where + ":" + at);
            }
            bounds.add(new int[] {at, batch.sizeInBytes()});
            expectedBase = batch.nextOffset();
            at += batch.sizeInBytes();
        }
        List<ByteBuffer> batches = new ArrayList<>(bounds.size());
        for (int[] b : bounds) {
            batches.add(all.slice(b[0], b[1]));
        }
        return batches;
    }
}
