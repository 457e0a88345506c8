package io.sluice.log;

import java.nio.ByteBuffer;
import java.util.List;

/** Decoding a run of whole batches read from a segment, local or remote. */
public final class RecordBatches {
    private RecordBatches() {
    }

    /**
     * Validates and decodes the batches in {@code bytes} (which starts on a batch boundary), adding
     * the records at or above {@code fromOffset} to {@code into} until it holds {@code maxRecords}.
     * A partial batch at the end (a size-bounded read) is left out; a first batch that overruns
     * the bytes, or any batch that fails its checks, is corrupt.
     *
     * @param where names the file or object, for error messages
     * @param filePosition where {@code bytes} starts in that file
     */
    public static void decode(ByteBuffer bytes, long fromOffset, int maxRecords, String where, long filePosition,
            List<LogRecord> into) {
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
            // The CRC does not cover the base offset: a batch must also start where the previous one ended.
            if (expectedBase >= 0 && batch.baseOffset() != expectedBase) {
                throw new CorruptRecordException("batch baseOffset=" + batch.baseOffset() + " (expected "
                        + expectedBase + ") at " + position);
            }
            batch.forEachRecord(fromOffset, maxRecords - into.size(), into::add);
            expectedBase = batch.nextOffset();
            at += size;
        }
    }
}
