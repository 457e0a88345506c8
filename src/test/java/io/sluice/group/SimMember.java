package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A consumer session that obeys its coordinator: after each reply it reads exactly the partitions
 * the reply allows (it stops the others before its next heartbeat says so), and when it is told it
 * is unknown it gives everything up and joins again.
 */
final class SimMember {
    final String group;
    List<String> topics;
    final AssignmentStrategy strategy;
    final RebalanceProtocol protocol;
    final long sessionTimeoutMs;
    String id;
    int epoch;
    Set<TopicPartition> owned = new HashSet<>();
    HeartbeatReply lastReply;

    SimMember(String group, List<String> topics, AssignmentStrategy strategy, RebalanceProtocol protocol,
            long sessionTimeoutMs) {
        this.group = group;
        this.topics = topics;
        this.strategy = strategy;
        this.protocol = protocol;
        this.sessionTimeoutMs = sessionTimeoutMs;
    }

    SimMember(String group, String topic, AssignmentStrategy strategy, RebalanceProtocol protocol) {
        this(group, List.of(topic), strategy, protocol, 10_000);
    }

    MemberHeartbeat heartbeatRequest() {
        return new MemberHeartbeat(group, id, id == null ? MemberHeartbeat.JOIN_EPOCH : epoch, "127.0.0.1", topics,
                strategy, protocol, owned, sessionTimeoutMs);
    }

    /** Joins, or heartbeats with what it owns; obeys the reply. Returns it. */
    HeartbeatReply beat(GroupCoordinator coordinator) {
        HeartbeatReply reply = coordinator.heartbeat(heartbeatRequest()).join();
        obey(reply);
        return reply;
    }

    void obey(HeartbeatReply reply) {
        id = reply.memberId();
        epoch = reply.memberEpoch();
        owned = new HashSet<>(reply.assignment());
        lastReply = reply;
    }

    /** Told it is unknown: it gives everything up and will join again. */
    void reset() {
        id = null;
        epoch = 0;
        owned = new HashSet<>();
    }

    /** A clean close: it stops reading, then leaves. */
    void leave(GroupCoordinator coordinator) {
        owned = new HashSet<>();
        coordinator.heartbeat(new MemberHeartbeat(group, id, MemberHeartbeat.LEAVE_EPOCH, "127.0.0.1", topics,
                strategy, protocol, Set.of(), sessionTimeoutMs)).join();
        id = null;
    }

    OffsetCommit commit(TopicPartition tp, long offset) {
        return new OffsetCommit(group, id, epoch, java.util.Map.of(tp, offset), "");
    }
}
