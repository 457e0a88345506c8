package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.List;
import java.util.Set;

/**
 * What a member tells its coordinator, periodically and whenever what it owns changes (as KIP-848's
 * ConsumerGroupHeartbeat): who it is, what it reads and which partitions it owns right now. The
 * coordinator answers with what the member may own ({@link HeartbeatReply}).
 *
 * @param memberId         null to join; the id the coordinator gave otherwise
 * @param memberEpoch      {@link #JOIN_EPOCH} to join, {@link #LEAVE_EPOCH} to leave, else the epoch last given
 * @param clientHost       where the member's client connects from, for describe
 * @param topics           the topics the member reads
 * @param owned            the partitions this member reads now (it has stopped reading everything else)
 * @param sessionTimeoutMs after this long without a heartbeat the member is removed
 */
public record MemberHeartbeat(String groupId, String memberId, int memberEpoch, String clientHost,
        List<String> topics, AssignmentStrategy strategy, RebalanceProtocol protocol, Set<TopicPartition> owned,
        long sessionTimeoutMs) {
    public static final int JOIN_EPOCH = 0;
    public static final int LEAVE_EPOCH = -1;

    public MemberHeartbeat {
        topics = List.copyOf(topics);
        owned = Set.copyOf(owned);
    }
}
