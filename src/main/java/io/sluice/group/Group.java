package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One group's state on its coordinator: members, the target assignment, the reconciliation that
 * moves members to it, and the committed offsets. Not thread-safe: every access holds the group's
 * monitor ({@code synchronized (group)}), and nobody holds it across an append to the offsets topic.
 *
 * <p>The one safety rule: a reply never hands a member a partition another member holds (owns per
 * its last heartbeat, or was allowed by its last reply). Eager: once the target changes, every
 * reply is empty until no member holds anything. Cooperative: a member is handed the partitions of
 * its target nobody else holds, and keeps reading those that stay its own throughout.
 */
final class Group {
    final String id;
    private final TopicCatalog catalog;
    private final GroupSettings settings;
    /** By member id: the assignors want them sorted. */
    final TreeMap<String, GroupMember> members = new TreeMap<>();
    final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
    AssignmentStrategy strategy;
    RebalanceProtocol protocol;
    int groupEpoch;
    private int targetEpoch;
    private Map<String, Set<TopicPartition>> target = Map.of();
    /** The partition counts the target was computed from: a topic created or grown since means a new target. */
    private Map<String, Integer> partitionCounts = Map.of();
    /** Eager only: the target changed while members held partitions; replies are empty until none does. */
    private boolean revokePending;
    long emptySinceMs;
    /** A reset, delete or expiry is being written: joins wait for it. */
    boolean adminBusy;
    /** Commits appended but not applied yet: the group is not dropped under them. */
    int pendingCommits;
    /** Dropped from its partition (deleted, expired, idle, or the partition given up): look it up again. */
    boolean removed;
    long rebalances;
    long lastRebalanceMs;
    private long rebalanceStartMs = -1;

    Group(String id, TopicCatalog catalog, GroupSettings settings, long nowMs) {
        this.id = id;
        this.catalog = catalog;
        this.settings = settings;
        this.emptySinceMs = nowMs;
    }

    HeartbeatReply join(MemberHeartbeat hb, String memberId, long sessionTimeoutMs, long nowMs) {
        if (adminBusy) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "group '" + id
                    + "' is having its offsets reset, deleted or expired; join again shortly");
        }
        GroupMember previous = hb.memberId() == null ? null : members.get(hb.memberId());
        boolean othersEmpty = members.isEmpty() || (members.size() == 1 && previous != null);
        if (!othersEmpty) {
            checkProtocol(hb);
        }
        if (members.size() - (previous == null ? 0 : 1) >= settings.maxGroupSize()) {
            throw new SluiceException(ErrorCode.GROUP_MAX_SIZE_REACHED, "group '" + id + "' has "
                    + members.size() + " members, the most a group takes");
        }
        if (previous != null) {
            members.remove(previous.id); // a member joining again starts afresh (it gave everything up)
        }
        if (members.isEmpty()) {
            strategy = hb.strategy() == null ? AssignmentStrategy.STICKY : hb.strategy();
            protocol = hb.protocol() == null ? RebalanceProtocol.COOPERATIVE : hb.protocol();
            revokePending = false;
        }
        GroupMember m = new GroupMember(memberId, hb.clientHost(), new TreeSet<>(hb.topics()), sessionTimeoutMs, nowMs);
        members.put(m.id, m);
        membershipChanged(nowMs);
        return reconcile(m, hb.owned(), nowMs);
    }

    HeartbeatReply heartbeat(MemberHeartbeat hb, long nowMs) {
        GroupMember m = members.get(hb.memberId());
        if (m == null) {
            throw unknownMember(hb.memberId());
        }
        if (hb.memberEpoch() != m.epoch && !retriedAfterLostReply(m, hb)) {
            // Fenced: it is out of step with us. It gives up everything and joins again, so it stops
            // holding its partitions now rather than at its session timeout.
            remove(m, nowMs);
            throw new SluiceException(ErrorCode.UNKNOWN_MEMBER_ID, "member " + m.id + " of group '" + id
                    + "' sent epoch " + hb.memberEpoch() + ", its epoch is " + m.epoch + ": join again");
        }
        checkProtocol(hb);
        m.lastSeenMs = nowMs;
        Set<String> topics = new TreeSet<>(hb.topics());
        if (!topics.isEmpty() && !topics.equals(m.topics)) {
            m.topics = topics;
            membershipChanged(nowMs);
        } else if (topicsChanged(m.topics)) {
            membershipChanged(nowMs);
        }
        return reconcile(m, hb.owned(), nowMs);
    }

    /** The member leaves: its partitions are free at once. Unknown members have left already. */
    void leave(String memberId, long nowMs) {
        GroupMember m = memberId == null ? null : members.get(memberId);
        if (m != null) {
            remove(m, nowMs);
        }
    }

    /** Removes members not heard from within their session timeout; returns their ids. */
    List<String> expireMembers(long nowMs) {
        List<String> expired = members.values().stream().filter(m -> m.expired(nowMs)).map(m -> m.id).toList();
        for (String memberId : expired) {
            remove(members.get(memberId), nowMs);
        }
        return expired;
    }

    /**
     * KIP-848's allowance for a lost reply: a heartbeat at the epoch before the current one is a
     * retry of the heartbeat whose reply moved it on, when it owns nothing it was not allowed.
     */
    private static boolean retriedAfterLostReply(GroupMember m, MemberHeartbeat hb) {
        if (hb.memberEpoch() != m.previousEpoch || m.previousEpoch == MemberHeartbeat.JOIN_EPOCH) {
            return false;
        }
        for (TopicPartition tp : hb.owned()) {
            if (!m.holds(tp)) {
                return false;
            }
        }
        return true;
    }

    /** Checks that the member may commit these offsets now; throws the refusal otherwise. */
    void checkCommit(OffsetCommit commit) {
        GroupMember m = commit.memberId() == null ? null : members.get(commit.memberId());
        if (m == null) {
            throw unknownMember(commit.memberId());
        }
        if (commit.memberEpoch() != m.epoch) {
            throw new SluiceException(ErrorCode.STALE_MEMBER_EPOCH, "member " + m.id + " of group '" + id
                    + "' committed at epoch " + commit.memberEpoch() + ", its epoch is " + m.epoch);
        }
        for (TopicPartition tp : commit.offsets().keySet()) {
            if (!m.holds(tp)) {
                throw new SluiceException(ErrorCode.STALE_MEMBER_EPOCH, "member " + m.id + " of group '" + id
                        + "' committed " + tp + ", which it does not own");
            }
        }
    }

    GroupState state() {
        if (members.isEmpty()) {
            return GroupState.EMPTY;
        }
        return stable() ? GroupState.STABLE : GroupState.RECONCILING;
    }

    Set<TopicPartition> targetOf(String memberId) {
        return target.getOrDefault(memberId, Set.of());
    }

    /** Whether nothing keeps the group: no members, no offsets, nothing in flight. */
    boolean idle() {
        return members.isEmpty() && offsets.isEmpty() && pendingCommits == 0 && !adminBusy;
    }

    private void checkProtocol(MemberHeartbeat hb) {
        if ((hb.strategy() != null && strategy != null && hb.strategy() != strategy)
                || (hb.protocol() != null && protocol != null && hb.protocol() != protocol)) {
            throw new SluiceException(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, "group '" + id + "' uses assignor "
                    + strategy.wireName() + " and rebalance " + protocol.wireName() + "; the member asked for "
                    + (hb.strategy() == null ? strategy : hb.strategy()).wireName() + " and "
                    + (hb.protocol() == null ? protocol : hb.protocol()).wireName());
        }
    }

    private void remove(GroupMember m, long nowMs) {
        members.remove(m.id);
        if (members.isEmpty()) {
            emptySinceMs = nowMs;
            strategy = null;
            protocol = null;
            revokePending = false;
            rebalanceStartMs = -1;
        }
        membershipChanged(nowMs);
    }

    private boolean topicsChanged(Set<String> topics) {
        for (String topic : topics) {
            if (Math.max(0, catalog.partitionCount(topic)) != partitionCounts.getOrDefault(topic, 0)) {
                return true;
            }
        }
        return false;
    }

    /** A member joined, left or changed what it reads, or a topic appeared or grew: a new target. */
    private void membershipChanged(long nowMs) {
        groupEpoch++;
        TreeMap<String, Set<String>> subscriptions = new TreeMap<>();
        Map<String, Integer> counts = new HashMap<>();
        for (GroupMember m : members.values()) {
            subscriptions.put(m.id, m.topics);
            for (String topic : m.topics) {
                counts.computeIfAbsent(topic, t -> Math.max(0, catalog.partitionCount(t)));
            }
        }
        Map<String, Set<TopicPartition>> next = new HashMap<>();
        if (!members.isEmpty()) {
            Assignor.of(strategy).assign(subscriptions, counts, target)
                    .forEach((member, tps) -> next.put(member, Set.copyOf(tps)));
        }
        boolean changed = members.keySet().stream()
                .anyMatch(m -> !next.getOrDefault(m, Set.of()).equals(target.getOrDefault(m, Set.of())));
        target = next;
        partitionCounts = counts;
        targetEpoch = groupEpoch;
        if (changed && protocol == RebalanceProtocol.EAGER
                && members.values().stream().anyMatch(m -> !m.holdsNothing())) {
            revokePending = true;
        }
        if (changed && rebalanceStartMs < 0 && !members.isEmpty()) {
            rebalanceStartMs = nowMs;
        }
        noteIfStable(nowMs);
    }

    /** The reply to a member's heartbeat, which said it owns {@code owned}. */
    private HeartbeatReply reconcile(GroupMember m, Set<TopicPartition> owned, long nowMs) {
        m.owned = Set.copyOf(owned);
        Set<TopicPartition> mine = targetOf(m.id);
        if (revokePending && m.owned.isEmpty() && othersHoldNothing(m)) {
            revokePending = false;
        }
        Set<TopicPartition> reply = new LinkedHashSet<>();
        if (!revokePending) {
            for (TopicPartition tp : mine) {
                if (!heldByAnother(m, tp)) {
                    reply.add(tp);
                }
            }
        }
        // The member moves to the target's epoch once it has nothing left to give up: until then
        // its commits of the partitions it is giving up still count (KIP-848's revocation epoch).
        boolean revoking = revokePending ? !m.owned.isEmpty() : !mine.containsAll(m.owned);
        if ((!revoking || m.epoch == MemberHeartbeat.JOIN_EPOCH) && m.epoch != targetEpoch) {
            m.previousEpoch = m.epoch; // a new member has no older epoch to keep
            m.epoch = targetEpoch;
        }
        m.assigned = Set.copyOf(reply);
        boolean settled = reply.size() == mine.size() && m.owned.equals(m.assigned);
        noteIfStable(nowMs);
        Map<TopicPartition, CommittedOffset> committed = new HashMap<>();
        for (TopicPartition tp : reply) {
            CommittedOffset c = offsets.get(tp);
            if (c != null) {
                committed.put(tp, c);
            }
        }
        return new HeartbeatReply(m.id, m.epoch, m.assigned, committed,
                settled ? settings.heartbeatIntervalMs() : settings.rebalanceHeartbeatMs());
    }

    private boolean othersHoldNothing(GroupMember m) {
        for (GroupMember other : members.values()) {
            if (other != m && !other.holdsNothing()) {
                return false;
            }
        }
        return true;
    }

    private boolean heldByAnother(GroupMember m, TopicPartition tp) {
        for (GroupMember other : members.values()) {
            if (other != m && other.holds(tp)) {
                return true;
            }
        }
        return false;
    }

    private boolean stable() {
        if (revokePending) {
            return false;
        }
        for (GroupMember m : members.values()) {
            Set<TopicPartition> mine = targetOf(m.id);
            if (!m.owned.equals(mine) || !m.assigned.equals(mine)) {
                return false;
            }
        }
        return true;
    }

    private void noteIfStable(long nowMs) {
        if (rebalanceStartMs >= 0 && !members.isEmpty() && stable()) {
            rebalances++;
            lastRebalanceMs = nowMs - rebalanceStartMs;
            rebalanceStartMs = -1;
        }
    }

    /** Every partition with a committed offset or in some member's target, for describe. */
    Set<TopicPartition> describedPartitions() {
        Set<TopicPartition> all = new HashSet<>(offsets.keySet());
        target.values().forEach(all::addAll);
        return all;
    }

    private SluiceException unknownMember(String memberId) {
        return new SluiceException(ErrorCode.UNKNOWN_MEMBER_ID, "group '" + id + "' has no member " + memberId
                + " (its session expired, or the coordinator moved): join again");
    }

    static Supplier<String> randomMemberIds() {
        return () -> java.util.UUID.randomUUID().toString();
    }
}
