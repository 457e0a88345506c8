package io.sluice.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The steps that move a partition's replicas to {@link PartitionState#targetReplicas()}, as a pure
 * function of the stored state: each call returns the next version, or empty while the partition
 * waits (for new replicas to catch up) or when no reassignment runs. Every step is decided from the
 * stored state alone, so a controller killed between two writes leaves a state from which the next
 * controller's call carries on to the same end, and a repeated call writes nothing twice.
 *
 * <ol>
 *   <li>Expand: replicas become the target followed by the current replicas not in it, so the new
 *       brokers start fetching while the old ones still serve.</li>
 *   <li>Once every target replica is in the ISR, and the leader is not among them: leadership moves
 *       (new leader epoch) to the first target replica that is alive and in the ISR (and not
 *       draining, when another is).</li>
 *   <li>Shrink: replicas become the target, the ISR keeps only target replicas, the target is
 *       cleared; the old replicas notice they are no longer assigned and stop.</li>
 * </ol>
 */
public final class Reassignment {
    private Reassignment() {
    }

    public static Optional<PartitionState> step(PartitionState state, Set<Integer> live) {
        return step(state, live, Set.of());
    }

    /** As {@link #step(PartitionState, Set)}; leadership moves to a draining target only when no other is alive. */
    public static Optional<PartitionState> step(PartitionState state, Set<Integer> live, Set<Integer> draining) {
        if (!state.reassigning()) {
            return Optional.empty();
        }
        List<Integer> target = state.targetReplicas();
        if (!state.isr().containsAll(target)) {
            List<Integer> expanded = expanded(state.replicas(), target);
            return expanded.equals(state.replicas())
                    ? Optional.empty()
                    : Optional.of(state.withReplicas(expanded, state.isr(), target));
        }
        if (!target.contains(state.leader())) {
            Optional<Integer> next = target.stream().filter(c -> live.contains(c) && !draining.contains(c)).findFirst()
                    .or(() -> target.stream().filter(live::contains).findFirst());
            return next.map(candidate -> state.withLeader(candidate, state.isr()));
        }
        List<Integer> isr = state.isr().stream().filter(target::contains).toList();
        return Optional.of(state.withReplicas(target, isr, List.of()));
    }

    /** The target first (its order is the new preference), then the current replicas it drops. */
    static List<Integer> expanded(List<Integer> replicas, List<Integer> target) {
        List<Integer> result = new ArrayList<>(target);
        for (int r : replicas) {
            if (!result.contains(r)) {
                result.add(r);
            }
        }
        return List.copyOf(result);
    }
}
