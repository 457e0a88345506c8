package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;

/**
 * What the cluster reconciler asks of the brokers themselves, through their REST API: their
 * health, whether the next broker may be restarted, and moving partitions onto new brokers.
 * The reconciler owns the Kubernetes side (it applies the StatefulSet and deletes the pod a
 * {@link RollStep.Restart} names); an implementation owns the conversation with the brokers and
 * the decisions that depend on it. Calls are made from the reconciler's thread and may block for
 * a bounded time (a drain waits up to its timeout).
 */
public interface ClusterOperations {

    /**
     * The cluster as the brokers see it ({@code GET /cluster}); {@link BrokerHealth#unreachable}
     * when no broker answers, never an exception for an unreachable cluster.
     */
    BrokerHealth health(SluiceCluster cluster);

    /**
     * The next step of a rolling restart, one broker at a time, only while every partition has
     * its full ISR. A pod is out of date when its {@code controller-revision-hash} label differs
     * from {@code statefulSet.getStatus().getUpdateRevision()} (the StatefulSet's update strategy
     * is OnDelete, so Kubernetes never replaces a pod by itself). Before answering
     * {@link RollStep.Restart} the implementation has handed the broker's leaderships away
     * ({@code POST /cluster/brokers/{id}/drain}); the reconciler then deletes that pod.
     *
     * @param statefulSet the StatefulSet as read back from the API server (with its status)
     * @param pods        the cluster's broker pods, any order
     * @param health      what {@link #health} answered in this same reconciliation
     */
    RollStep nextRollStep(SluiceCluster cluster, StatefulSet statefulSet, List<Pod> pods, BrokerHealth health);

    /**
     * Moves partitions onto brokers that hold none yet (after {@code spec.replicas} grew and the
     * new brokers registered), with {@code POST /topics/{t}/reassignments}; called at every
     * reconciliation, so it must be idempotent and answer complete when there is nothing to move.
     */
    ScaleOutProgress scaleOut(SluiceCluster cluster, BrokerHealth health);

    /**
     * Before the StatefulSet shrinks from {@code currentReplicas} to {@code spec.replicas}: whether
     * the brokers that would go hold no replica any more. Refused, the reconciler keeps
     * {@link ScaleInDecision#replicas()} and reports the message. The default allows every scale-in.
     */
    default ScaleInDecision checkScaleIn(SluiceCluster cluster, int currentReplicas) {
        return ScaleInDecision.allow(cluster.getSpec().getReplicas());
    }
}
