package io.sluice.broker;

import java.util.List;

/**
 * The cluster as one broker sees it, for {@code GET /cluster}.
 *
 * @param controller the broker that runs the controller
 * @param quorum     whether this broker is in a majority of the registered brokers (it may change metadata)
 * @param underReplicatedPartitions partitions whose ISR is smaller than their replica list
 * @param offlinePartitions         partitions with no leader
 */
public record ClusterView(String clusterId, int controller, boolean quorum, List<Member> brokers,
        long underReplicatedPartitions, long offlinePartitions) {
    /** @param draining whether the broker is being drained of its leaderships */
    public record Member(int id, String host, int port, String rack, boolean alive, boolean draining) {
    }
}
