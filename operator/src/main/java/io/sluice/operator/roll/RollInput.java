package io.sluice.operator.roll;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the reconciler observed of the StatefulSet for one roll decision: the revision every pod
 * should run ({@code status.updateRevision}), how many brokers there should be, and the pods there
 * are. A missing ordinal below {@code replicas} counts as a pod that is not ready and not updated
 * (it is being recreated); pods at or above {@code replicas} are being scaled away and are ignored.
 */
public record RollInput(String targetRevision, int replicas, List<PodState> pods) {
    public RollInput {
        Objects.requireNonNull(targetRevision, "targetRevision");
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas=" + replicas + ": must be >= 0");
        }
        pods = List.copyOf(pods);
    }

    /** Every ordinal below {@code replicas}, with the pod seen there or a stand-in for a missing one. */
    public Map<Integer, PodState> podsByOrdinal() {
        Map<Integer, PodState> byOrdinal = new TreeMap<>();
        for (int ordinal = 0; ordinal < replicas; ordinal++) {
            byOrdinal.put(ordinal, new PodState(ordinal, null, false));
        }
        for (PodState pod : pods) {
            if (pod.ordinal() < replicas) {
                byOrdinal.put(pod.ordinal(), pod);
            }
        }
        return byOrdinal;
    }

    public boolean updated(PodState pod) {
        return targetRevision.equals(pod.revision());
    }
}
