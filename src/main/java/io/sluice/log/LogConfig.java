package io.sluice.log;

/**
 * The per-topic settings one partition's log obeys (Kafka's names, in Kafka's units). A negative
 * retention means "unbounded"; a local retention of {@link #USE_TOTAL_RETENTION} (-2, Kafka's
 * default) means "as long as the total retention".
 *
 * @param remoteStorage     whether closed segments are uploaded to the tier; only then may local
 *                          retention delete a segment before total retention does
 * @param compact           whether the cleaner keeps only the latest record per key ({@code cleanup.policy}
 *                          has {@code compact}); retention still applies as its own values say
 * @param deleteRetentionMs how long a tombstone survives once the segment holding it was first cleaned
 */
public record LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes,
        int maxMessageBytes, int indexIntervalBytes, boolean remoteStorage, long localRetentionMs,
        long localRetentionBytes, boolean compact, long deleteRetentionMs) {

    /** Kafka's {@code delete.retention.ms} default: one day. */
    public static final long DEFAULT_DELETE_RETENTION_MS = 24L * 60 * 60 * 1000;

    /** A log that is not compacted. */
    public LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int maxMessageBytes,
            int indexIntervalBytes, boolean remoteStorage, long localRetentionMs, long localRetentionBytes) {
        this(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes, remoteStorage,
                localRetentionMs, localRetentionBytes, false, DEFAULT_DELETE_RETENTION_MS);
    }

    public static final int DEFAULT_SEGMENT_BYTES = 128 * 1024 * 1024;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    public static final long USE_TOTAL_RETENTION = -2;

    public static LogConfig defaults() {
        return new LogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, DEFAULT_RETENTION_MS, -1,
                DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_INDEX_INTERVAL_BYTES, false, USE_TOTAL_RETENTION,
                USE_TOTAL_RETENTION);
    }

    public LogConfig withSegmentBytes(int bytes) {
        return new LogConfig(bytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
                remoteStorage, localRetentionMs, localRetentionBytes, compact, deleteRetentionMs);
    }

    public LogConfig withRetention(long ms, long bytes) {
        return new LogConfig(segmentBytes, segmentMs, ms, bytes, maxMessageBytes, indexIntervalBytes,
                remoteStorage, localRetentionMs, localRetentionBytes, compact, deleteRetentionMs);
    }

    public LogConfig withSegmentMs(long ms) {
        return new LogConfig(segmentBytes, ms, retentionMs, retentionBytes, maxMessageBytes, indexIntervalBytes,
                remoteStorage, localRetentionMs, localRetentionBytes, compact, deleteRetentionMs);
    }

    public LogConfig withRemoteStorage(boolean on, long localMs, long localBytes) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, on, localMs, localBytes, compact, deleteRetentionMs);
    }

    /** Compaction on or off, with its tombstone retention. */
    public LogConfig withCompaction(boolean on, long tombstoneRetentionMs) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, maxMessageBytes,
                indexIntervalBytes, remoteStorage, localRetentionMs, localRetentionBytes, on, tombstoneRetentionMs);
    }

    /** Local retention in time, resolved against the total. */
    public long effectiveLocalRetentionMs() {
        return localRetentionMs == USE_TOTAL_RETENTION ? retentionMs : localRetentionMs;
    }

    /** Local retention in size, resolved against the total. */
    public long effectiveLocalRetentionBytes() {
        return localRetentionBytes == USE_TOTAL_RETENTION ? retentionBytes : localRetentionBytes;
    }
}
