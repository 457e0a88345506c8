package io.sluice.log;

/**
 * The per-topic settings one partition's log obeys (Kafka's names, in the units Kafka uses).
 * A negative retention means "unbounded".
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes,
        int maxMessageBytes, int indexIntervalBytes) {

    public static final int DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;

    public static LogConfig defaults() {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, DEFAULT_RETENTION_MS, -1,
                DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_INDEX_INTERVAL_BYTES);
    }

    public LogConfig withSegmentBytes(int bytes) {
        return new LogConfig(bytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes);
    }

    public LogConfig withRetention(long ms, long bytes) {
        return new LogConfig(segmentBytes, segmentMs, ms, bytes, maxMessageBytes, indexIntervalBytes);
    }

    public LogConfig withSegmentMs(long ms) {
        return new LogConfig(segmentBytes, ms, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes);
    }
}
