package io.sluice.operator.brokers;

import java.util.List;

/**
 * One partition of {@code GET|POST /topics/{t}/reassignments}: its replicas and ISR now, the target of
 * a move if one runs (empty otherwise), the target replicas still catching up ({@code adding}) and
 * the replicas to be dropped ({@code removing}).
 */
public record ReassignmentProgress(int partition, List<Integer> replicas, List<Integer> isr,
        List<Integer> targetReplicas, List<Integer> adding, List<Integer> removing) {
    public ReassignmentProgress {
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
        isr = isr == null ? List.of() : List.copyOf(isr);
        targetReplicas = targetReplicas == null ? List.of() : List.copyOf(targetReplicas);
        adding = adding == null ? List.of() : List.copyOf(adding);
        removing = removing == null ? List.of() : List.copyOf(removing);
    }

    public boolean inProgress() {
        return !targetReplicas.isEmpty();
    }
}
