package io.sluice.cluster;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The controller's leadership decisions for one partition, as pure functions of its stored state
 * and the live brokers: each returns the next version of the state, or empty when nothing is to
 * change (so a controller that re-runs them on an unchanged state writes nothing).
 *
 * <p>Only a member of the ISR becomes leader, unless the topic allows unclean election: an ISR
 * member has every record the high watermark covered, any other replica may not. When no ISR
 * member is alive the partition goes leaderless at a new epoch, which fences the old leader, and
 * the ISR is kept as recorded: its members are the only brokers known to hold every acknowledged
 * record, so the first of them to return leads again (the intent of Kafka's eligible leader
 * replicas, KIP-966; with a strict minimum ISR the high watermark could not have advanced past them).
 */
public final class LeaderElection {
    private LeaderElection() {
    }

    /**
     * Elects a leader when the current one is dead or out of the ISR, and otherwise drops dead
     * followers from the ISR at once (the leader's lag check would, but only after its timeout).
     *
     * @param live             the brokers in the current cluster view
     * @param uncleanAllowed   the topic's {@code unclean.leader.election.enable}
     */
    public static Optional<PartitionState> elect(PartitionState state, Set<Integer> live, boolean uncleanAllowed) {
        List<Integer> liveIsr = state.isr().stream().filter(live::contains).toList();
        if (state.hasLeader() && live.contains(state.leader()) && state.isr().contains(state.leader())) {
            return liveIsr.size() == state.isr().size() ? Optional.empty() : Optional.of(state.withIsr(liveIsr));
        }
        for (int replica : state.replicas()) {
            if (live.contains(replica) && state.isr().contains(replica)) {
                return Optional.of(state.withLeader(replica, liveIsr));
            }
        }
        if (uncleanAllowed) {
            for (int replica : state.replicas()) {
                if (live.contains(replica)) {
                    // Records the ISR acknowledged may be missing on this replica: the topic chose
                    // availability over them.
                    return Optional.of(state.withLeader(replica, List.of(replica)));
                }
            }
        }
        if (!state.hasLeader()) {
            return Optional.empty();
        }
        return Optional.of(state.withLeader(PartitionState.NO_LEADER, state.isr()));
    }

    /**
     * Hands leadership back to the preferred replica (the first assigned) when it is alive, in the
     * ISR, and not leading. The caller decides when: a broker that has only just rejoined the ISR
     * is given time to settle first.
     */
    public static Optional<PartitionState> restorePreferred(PartitionState state, Set<Integer> live) {
        if (state.replicas().isEmpty()) {
            return Optional.empty();
        }
        int preferred = state.replicas().get(0);
        if (preferred == state.leader() || !live.contains(preferred) || !state.isr().contains(preferred)) {
            return Optional.empty();
        }
        return Optional.of(state.withLeader(preferred, state.isr()));
    }
}
