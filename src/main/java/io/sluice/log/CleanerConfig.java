package io.sluice.log;

/**
 * How the broker's log cleaner runs (the {@code sluice.log.cleaner.*} settings; Kafka's
 * {@code log.cleaner.*} defaults where Kafka has one).
 *
 * @param enabled              whether compacted topics are cleaned at all
 * @param dedupeBufferBytes    memory for the key map of one pass (24 bytes a key, 90% full at most): a pass
 *                             maps at most this many keys' worth of dirty records, the rest waits for the next
 * @param readBufferBytes      how much of a segment one read takes while cleaning
 * @param minCleanableRatio    a log is cleaned once its dirty bytes are at least this share of its cleanable bytes
 *                             (Kafka's {@code min.cleanable.dirty.ratio})
 * @param backoffMs            how long the cleaner rests when no log is dirty enough
 */
public record CleanerConfig(boolean enabled, long dedupeBufferBytes, int readBufferBytes, double minCleanableRatio,
        long backoffMs) {

    public static final long DEFAULT_DEDUPE_BUFFER_BYTES = 32L * 1024 * 1024;
    public static final int DEFAULT_READ_BUFFER_BYTES = 1024 * 1024;
    public static final double DEFAULT_MIN_CLEANABLE_RATIO = 0.5;
    public static final long DEFAULT_BACKOFF_MS = 15_000;

    public CleanerConfig {
        if (dedupeBufferBytes < OffsetMap.ENTRY_BYTES * 16L) {
            throw new IllegalArgumentException("cleaner dedupe buffer must be at least " + OffsetMap.ENTRY_BYTES * 16
                    + " bytes, was " + dedupeBufferBytes);
        }
        if (readBufferBytes < RecordBatchDescriptor.RECORD_BATCH_OVERHEAD) {
            throw new IllegalArgumentException("cleaner read buffer too small: " + readBufferBytes);
        }
        if (!(minCleanableRatio >= 0 && minCleanableRatio <= 1)) {
            throw new IllegalArgumentException("min cleanable ratio must be in [0, 1], was " + minCleanableRatio);
        }
        if (backoffMs < 1) {
            throw new IllegalArgumentException("cleaner backoff must be at least 1 ms, was " + backoffMs);
        }
    }

    public static CleanerConfig defaults() {
        return new CleanerConfig(true, DEFAULT_DEDUPE_BUFFER_BYTES, DEFAULT_READ_BUFFER_BYTES,
                DEFAULT_MIN_CLEANABLE_RATIO, DEFAULT_BACKOFF_MS);
    }

    public CleanerConfig withBackoffMs(long ms) {
        return new CleanerConfig(enabled, dedupeBufferBytes, readBufferBytes, minCleanableRatio, ms);
    }
}
