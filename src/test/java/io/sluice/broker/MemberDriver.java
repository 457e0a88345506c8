package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.AssignmentStrategy;
import io.sluice.group.CommittedOffset;
import io.sluice.group.HeartbeatReply;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.RebalanceProtocol;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group member as a consumer session plays it, through the Broker API (no WebSocket): it owns
 * exactly what its last reply allowed, reports that in its next heartbeat, and when the coordinator
 * does not know it (any more) gives everything up and joins again.
 */
final class MemberDriver {
    private final String group;
    private final List<String> topics;
    private String memberId;
    private int epoch = MemberHeartbeat.JOIN_EPOCH;
    private Set<TopicPartition> owned = Set.of();
    private Map<TopicPartition, CommittedOffset> lastCommitted = Map.of();
    private int rejoins;
    private SluiceException lastError;

    MemberDriver(String group, String... topics) {
        this.group = group;
        this.topics = List.of(topics);
    }

    /** One heartbeat through {@code via}; false when it failed (then a fenced member starts over). */
    synchronized boolean heartbeat(Broker via) {
        MemberHeartbeat h = new MemberHeartbeat(group, memberId, epoch, "127.0.0.1", topics, AssignmentStrategy.STICKY,
                RebalanceProtocol.COOPERATIVE, owned, 10_000);
        try {
            HeartbeatReply reply = via.heartbeat(h).join();
            memberId = reply.memberId();
            epoch = reply.memberEpoch();
            owned = reply.assignment();
            lastCommitted = reply.committed();
            lastError = null;
            return true;
        } catch (RuntimeException e) {
            Throwable cause = SluiceException.causeOf(e);
            if (!(cause instanceof SluiceException s)) {
                throw e;
            }
            lastError = s;
            if (s.code() == ErrorCode.UNKNOWN_MEMBER_ID || s.code() == ErrorCode.STALE_MEMBER_EPOCH) {
                memberId = null;
                epoch = MemberHeartbeat.JOIN_EPOCH;
                owned = Set.of();
                rejoins++;
            }
            return false;
        }
    }

    synchronized void leave(Broker via) {
        via.heartbeat(new MemberHeartbeat(group, memberId, MemberHeartbeat.LEAVE_EPOCH, "127.0.0.1", topics,
                AssignmentStrategy.STICKY, RebalanceProtocol.COOPERATIVE, Set.of(), 10_000)).join();
        memberId = null;
        epoch = MemberHeartbeat.JOIN_EPOCH;
        owned = Set.of();
    }

    synchronized String memberId() {
        return memberId;
    }

    synchronized int epoch() {
        return epoch;
    }

    synchronized Set<TopicPartition> owned() {
        return owned;
    }

    synchronized Map<TopicPartition, CommittedOffset> lastCommitted() {
        return lastCommitted;
    }

    synchronized int rejoins() {
        return rejoins;
    }

    synchronized SluiceException lastError() {
        return lastError;
    }
}
