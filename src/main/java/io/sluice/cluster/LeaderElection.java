package io.sluice.cluster;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;

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

    /** {@link #elect(PartitionState, Set, Set, boolean)} with no broker draining. */
    public static Optional<PartitionState> elect(PartitionState state, Set<Integer> live, boolean uncleanAllowed) {
        return elect(state, live, Set.of(), uncleanAllowed);
    }

    /**
     * Elects a leader when the current one is dead or out of the ISR, or draining while another
     * in-sync replica is alive and not draining; otherwise drops dead followers from the ISR at once
     * (the leader's lag check would, but only after its timeout). A draining broker keeps its place
     * in the ISR (it still holds every record) and is elected only when no other in-sync replica is
     * alive: a drain moves leadership, it never takes a partition offline.
     *
     * @param live             the brokers in the current cluster view
     * @param draining         the brokers being drained
     * @param uncleanAllowed   the topic's {@code unclean.leader.election.enable}
     */
    public static Optional<PartitionState> elect(PartitionState state, Set<Integer> live, Set<Integer> draining,
            boolean uncleanAllowed) {
        List<Integer> liveIsr = state.isr().stream().filter(live::contains).toList();
        if (state.hasLeader() && live.contains(state.leader()) && state.isr().contains(state.leader())) {
            if (draining.contains(state.leader())) {
                Optional<Integer> other = firstOf(state.replicas(), r -> live.contains(r) && state.isr().contains(r)
                        && !draining.contains(r));
                if (other.isPresent()) {
                    // Clean handover: the new leader is in the ISR, so it holds every acknowledged record.
                    return Optional.of(state.withLeader(other.get(), liveIsr));
                }
            }
            return liveIsr.size() == state.isr().size() ? Optional.empty() : Optional.of(state.withIsr(liveIsr));
        }
        Optional<Integer> clean = firstOf(state.replicas(), r -> live.contains(r) && state.isr().contains(r)
                && !draining.contains(r))
                .or(() -> firstOf(state.replicas(), r -> live.contains(r) && state.isr().contains(r)));
        if (clean.isPresent()) {
            return Optional.of(state.withLeader(clean.get(), liveIsr));
        }
        if (uncleanAllowed) {
            Optional<Integer> any = firstOf(state.replicas(), r -> live.contains(r) && !draining.contains(r))
                    .or(() -> firstOf(state.replicas(), live::contains));
            if (any.isPresent()) {
                // Records the ISR acknowledged may be missing on this replica: the topic chose
                // availability over them.
                return Optional.of(state.withLeader(any.get(), List.of(any.get())));
            }
        }
        if (!state.hasLeader()) {
            return Optional.empty();
        }
        return Optional.of(state.withLeader(PartitionState.NO_LEADER, state.isr()));
    }

    /** {@link #restorePreferred(PartitionState, Set, Set)} with no broker draining. */
    public static Optional<PartitionState> restorePreferred(PartitionState state, Set<Integer> live) {
        return restorePreferred(state, live, Set.of());
    }

    /**
     * Hands leadership back to the preferred replica (the first assigned) when it is alive, in the
     * ISR, not draining, and not leading. The caller decides when: a broker that has only just
     * rejoined the ISR is given time to settle first.
     */
    public static Optional<PartitionState> restorePreferred(PartitionState state, Set<Integer> live,
            Set<Integer> draining) {
        if (state.replicas().isEmpty()) {
            return Optional.empty();
        }
        int preferred = state.replicas().get(0);
        if (preferred == state.leader() || !live.contains(preferred) || !state.isr().contains(preferred)
                || draining.contains(preferred)) {
            return Optional.empty();
        }
        return Optional.of(state.withLeader(preferred, state.isr()));
    }

    private static Optional<Integer> firstOf(List<Integer> replicas, IntPredicate eligible) {
        for (int replica : replicas) {
            if (eligible.test(replica)) {
                return Optional.of(replica);
            }
        }
        return Optional.empty();
    }
}
