package io.sluice.broker;

import io.sluice.log.LogRecord;
import io.sluice.log.PartitionLog.ReadResult;
import java.util.List;

/**
 * Records read from a partition and the offsets a reader goes on from. A value of its own, not the
 * log's read result: a read forwarded to the broker that leads the partition comes back as one of
 * these too, so callers of {@link Broker#fetch} never learn which log (or broker) served it.
 *
 * @param nextOffset     where the next read starts: after the last record returned, or the offset asked for
 * @param highWatermark  readers see offsets below it; a read at it waits for appends
 * @param logStartOffset the first offset a reader can get, remote or local
 */
public record FetchResult(List<LogRecord> records, long nextOffset, long highWatermark, long logStartOffset) {
    /** Takes the read's list as it is, not copied: up to a frame's records on every read. */
    static FetchResult of(ReadResult read) {
        return new FetchResult(read.records(), read.nextOffset(), read.highWatermark(), read.logStartOffset());
    }
}
