package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sluice.operator.crd.SluiceCluster;
import java.util.List;

/**
 * The stand-in used when no implementation that talks to the brokers is deployed: it knows
 * nothing of the brokers, so it never restarts one and never moves a partition.
 */
public final class PassiveClusterOperations implements ClusterOperations {

    @Override
    public BrokerHealth health(SluiceCluster cluster) {
        return BrokerHealth.unreachable();
    }

    @Override
    public RollStep nextRollStep(SluiceCluster cluster, StatefulSet statefulSet, List<Pod> pods, BrokerHealth health) {
        return new RollStep.Done();
    }

    @Override
    public ScaleOutProgress scaleOut(SluiceCluster cluster, BrokerHealth health) {
        return ScaleOutProgress.done();
    }
}
