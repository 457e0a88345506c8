package io.sluice.cluster;

import java.util.List;

/**
 * Where one partition stands in a reassignment, for the operator who asked for it.
 *
 * @param targetReplicas   empty when no reassignment runs on the partition
 * @param adding           target replicas not yet in the ISR (still catching up)
 * @param removing         current replicas the target drops (removed once the target is in sync)
 */
public record ReassignmentProgress(int partition, List<Integer> replicas, List<Integer> isr,
        List<Integer> targetReplicas, List<Integer> adding, List<Integer> removing) {
    public ReassignmentProgress {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        targetReplicas = List.copyOf(targetReplicas);
        adding = List.copyOf(adding);
        removing = List.copyOf(removing);
    }

    static ReassignmentProgress of(PartitionState state) {
        List<Integer> target = state.targetReplicas();
        return new ReassignmentProgress(state.partition(), state.replicas(), state.isr(), target,
                target.stream().filter(r -> !state.isr().contains(r)).toList(),
                state.reassigning() ? state.replicas().stream().filter(r -> !target.contains(r)).toList() : List.of());
    }

    public boolean inProgress() {
        return !targetReplicas.isEmpty();
    }
}
