package io.sluice.replication;

/**
 * How replication behaves, Kafka's names where it has them.
 *
 * @param replicaLagTimeMaxMs   a follower that has not caught up for this long leaves the ISR
 *                              ({@code replica.lag.time.max.ms})
 * @param fetchMaxWaitMs        how long a leader holds a follower's fetch when it has nothing new
 * @param fetchMaxBytes         most bytes of record batches in one fetch reply
 * @param ackTimeoutMs          how long an acks=all produce waits for the ISR before it answers
 *                              NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * @param isrCheckIntervalMs    how often leaders check their followers' lag
 * @param retryBackoffMs        a follower's pause after a failed fetch
 */
public record ReplicationSettings(long replicaLagTimeMaxMs, int fetchMaxWaitMs, int fetchMaxBytes, long ackTimeoutMs,
        long isrCheckIntervalMs, long retryBackoffMs) {

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(10_000, 500, 8 * 1024 * 1024, 30_000, 250, 100);
    }

    public ReplicationSettings withReplicaLagTimeMaxMs(long ms) {
        return new ReplicationSettings(ms, fetchMaxWaitMs, fetchMaxBytes, ackTimeoutMs, isrCheckIntervalMs,
                retryBackoffMs);
    }

    public ReplicationSettings withAckTimeoutMs(long ms) {
        return new ReplicationSettings(replicaLagTimeMaxMs, fetchMaxWaitMs, fetchMaxBytes, ms, isrCheckIntervalMs,
                retryBackoffMs);
    }
}
