package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Set;

/**
 * One member of a group as its coordinator tracks it; guarded by the group's monitor. What the
 * member may be reading is {@link #owned} (what it said in its last heartbeat) together with
 * {@link #assigned} (what the last reply allowed it): no partition in either is handed to another
 * member, since the member may act on the reply before its next heartbeat tells so.
 */
final class GroupMember {
    final String id;
    final String clientHost;
    final long sessionTimeoutMs;
    Set<String> topics;
    long lastSeenMs;
    int epoch;
    /** The epoch before {@link #epoch}: a heartbeat at it is the retry of one whose reply was lost. */
    int previousEpoch;
    Set<TopicPartition> owned = Set.of();
    Set<TopicPartition> assigned = Set.of();

    GroupMember(String id, String clientHost, Set<String> topics, long sessionTimeoutMs, long nowMs) {
        this.id = id;
        this.clientHost = clientHost == null ? "" : clientHost;
        this.topics = topics;
        this.sessionTimeoutMs = sessionTimeoutMs;
        this.lastSeenMs = nowMs;
    }

    /** Whether the member may be reading the partition now. */
    boolean holds(TopicPartition tp) {
        return owned.contains(tp) || assigned.contains(tp);
    }

    boolean holdsNothing() {
        return owned.isEmpty() && assigned.isEmpty();
    }

    boolean expired(long nowMs) {
        return nowMs - lastSeenMs >= sessionTimeoutMs;
    }
}
