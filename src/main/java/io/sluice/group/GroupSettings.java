package io.sluice.group;

/**
 * Broker-wide group settings (configuration {@code sluice.group.*}).
 *
 * @param heartbeatIntervalMs        how often a stable member heartbeats
 * @param rebalanceHeartbeatMs       how often a member heartbeats while its partitions are moving
 * @param defaultSessionTimeoutMs    a member's session timeout unless it asks for another
 * @param minSessionTimeoutMs        the shortest session timeout a member may ask for
 * @param maxSessionTimeoutMs        the longest session timeout a member may ask for
 * @param offsetsRetentionMs         how long a group with no members keeps its committed offsets
 * @param offsetsReplicationFactor   replication factor of {@code __consumer_offsets} (capped by the brokers there are)
 * @param maxGroupSize               the most members one group takes
 */
public record GroupSettings(long heartbeatIntervalMs, long rebalanceHeartbeatMs, long defaultSessionTimeoutMs,
        long minSessionTimeoutMs, long maxSessionTimeoutMs, long offsetsRetentionMs, int offsetsReplicationFactor,
        int maxGroupSize) {
    public static GroupSettings defaults() {
        return new GroupSettings(250, 50, 45_000, 1_000, 1_800_000, 7L * 24 * 60 * 60 * 1000, 3, 1_000);
    }

    public GroupSettings withSessionTimeouts(long defaultMs, long minMs, long maxMs) {
        return new GroupSettings(heartbeatIntervalMs, rebalanceHeartbeatMs, defaultMs, minMs, maxMs,
                offsetsRetentionMs, offsetsReplicationFactor, maxGroupSize);
    }

    public GroupSettings withOffsetsRetentionMs(long ms) {
        return new GroupSettings(heartbeatIntervalMs, rebalanceHeartbeatMs, defaultSessionTimeoutMs,
                minSessionTimeoutMs, maxSessionTimeoutMs, ms, offsetsReplicationFactor, maxGroupSize);
    }

    public GroupSettings withHeartbeatIntervalMs(long ms) {
        return new GroupSettings(ms, rebalanceHeartbeatMs, defaultSessionTimeoutMs, minSessionTimeoutMs,
                maxSessionTimeoutMs, offsetsRetentionMs, offsetsReplicationFactor, maxGroupSize);
    }
}
