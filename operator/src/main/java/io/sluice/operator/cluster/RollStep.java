package io.sluice.operator.cluster;

import java.util.Objects;

/** What a rolling restart does next; see {@link ClusterOperations#nextRollStep}. */
public sealed interface RollStep {

    /** Every pod runs the StatefulSet's current revision: nothing to roll. */
    record Done() implements RollStep {
    }

    /** A restart is due but not allowed yet (a partition is under-replicated, a pod is not ready...). */
    record Wait(String reason) implements RollStep {
        public Wait {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The broker in {@code podName} has handed its leaderships away; the reconciler deletes the pod. */
    record Restart(String podName, int brokerId, String reason) implements RollStep {
        public Restart {
            Objects.requireNonNull(podName, "podName");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
