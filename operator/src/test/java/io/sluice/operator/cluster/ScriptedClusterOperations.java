package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;

/** ClusterOperations whose answers a test sets, recording what it was asked. */
final class ScriptedClusterOperations implements ClusterOperations {
    volatile BrokerHealth health = BrokerHealth.unreachable();
    volatile RollStep rollStep = new RollStep.Done();
    volatile ScaleOutProgress scaleOut = ScaleOutProgress.done();
    volatile StatefulSet lastStatefulSet;
    volatile List<Pod> lastPods;
    volatile int scaleOutCalls;
    /** Null: allow every scale-in. */
    volatile String refuseScaleIn;

    @Override
    public BrokerHealth health(SluiceCluster cluster) {
        return health;
    }

    @Override
    public RollStep nextRollStep(SluiceCluster cluster, StatefulSet statefulSet, List<Pod> pods, BrokerHealth health) {
        lastStatefulSet = statefulSet;
        lastPods = pods;
        return rollStep;
    }

    @Override
    public ScaleOutProgress scaleOut(SluiceCluster cluster, BrokerHealth health) {
        scaleOutCalls++;
        return scaleOut;
    }

    @Override
    public ScaleInDecision checkScaleIn(SluiceCluster cluster, int currentReplicas) {
        return refuseScaleIn == null ? ScaleInDecision.allow(cluster.getSpec().getReplicas())
                : ScaleInDecision.refuse(currentReplicas, refuseScaleIn);
    }
}
