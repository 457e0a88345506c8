package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Map;
import java.util.Set;

/**
 * The coordinator's answer to a {@link MemberHeartbeat}: the partitions the member may own now. A
 * partition another member still owns is not in it until that member has given it up, so no
 * partition is read by two members at once. The member stops reading what is not in it, then says
 * so in its next heartbeat.
 *
 * @param assignment          what the member may own now
 * @param committed           the committed offset of each partition of {@code assignment} that has one
 * @param heartbeatIntervalMs when to heartbeat next; short while the group is rebalancing
 */
public record HeartbeatReply(String memberId, int memberEpoch, Set<TopicPartition> assignment,
        Map<TopicPartition, CommittedOffset> committed, long heartbeatIntervalMs) {
    public HeartbeatReply {
        assignment = Set.copyOf(assignment);
        committed = Map.copyOf(committed);
    }
}
