package io.sluice.operator.roll;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerAdminException;
import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.ReplicationHealth;
import io.sluice.operator.cluster.BrokerEndpoints;
import io.sluice.operator.cluster.BrokerHealth;
import io.sluice.operator.cluster.ClusterOperations;
import io.sluice.operator.cluster.RollStep;
import io.sluice.operator.cluster.ScaleInDecision;
import io.sluice.operator.cluster.ScaleOutProgress;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.SluiceClusterStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ClusterOperations} over the brokers' REST API: the reconciler's Kubernetes objects turned into
 * the plain inputs of {@link RollDriver}, {@link ScaleOut} and {@link BrokerAdmin}, and their answers
 * back into {@link RollStep} and {@link ScaleOutProgress}.
 *
 * <p>The roll's state ({@link RollState}) is kept between reconciliations in {@code status.roll}: read
 * from the cluster at the start of a step, set on it at the end (the reconciler patches the status
 * after every pass). If it is lost the roll reads as Idle, which is safe: pods and brokers say which
 * broker is out of date and whether the cluster is whole; only a drain's deadline starts again.
 */
@ApplicationScoped
public class BrokerClusterOperations implements ClusterOperations {
    /** Each call to the brokers; a drain request waits {@link RollSettings#drainWaitPerCall()} on top. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final BrokerEndpoints endpoints;
    private final RollSettings settings = RollSettings.defaults();
    private final Clock clock = Clock.systemUTC();
    private final Map<URI, BrokerAdmin> admins = new ConcurrentHashMap<>();

    @Inject
    public BrokerClusterOperations(BrokerEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    public BrokerHealth health(SluiceCluster cluster) {
        BrokerAdmin admin = admin(cluster);
        try {
            ClusterInfo info = admin.cluster();
            ReplicationHealth replication = admin.replicationHealth(info);
            List<Integer> registered = info.brokers().stream().map(ClusterInfo.Member::id).sorted().toList();
            List<Integer> alive = info.brokers().stream().filter(ClusterInfo.Member::alive).map(ClusterInfo.Member::id)
                    .sorted().toList();
            return new BrokerHealth(true, registered, alive, replication.underReplicatedPartitions(),
                    replication.offlinePartitions());
        } catch (BrokerAdminException e) {
            return BrokerHealth.unreachable();
        }
    }

    @Override
    public RollStep nextRollStep(SluiceCluster cluster, StatefulSet statefulSet, List<Pod> pods, BrokerHealth health) {
        if (statefulSet == null || statefulSet.getStatus() == null || statefulSet.getStatus().getUpdateRevision() == null) {
            return new RollStep.Wait("the StatefulSet has no update revision yet");
        }
        String name = cluster.getMetadata().getName();
        RollInput input = new RollInput(statefulSet.getStatus().getUpdateRevision(), cluster.getSpec().getReplicas(),
                BrokerPods.states(name, pods));
        // The reconciler deletes the pod itself (RollStep.Restart): the restarter only notes which one.
        AtomicInteger toDelete = new AtomicInteger(-1);
        RollDriver driver = new RollDriver(admin(cluster), toDelete::set, settings, clock);
        RollOutcome outcome = driver.step(storedRollState(cluster), input);
        storeRollState(cluster, outcome.next());
        if (outcome.action() instanceof RollAction.Done) {
            return new RollStep.Done();
        }
        if (outcome.action() instanceof RollAction.DeletePod delete && toDelete.get() == delete.broker()) {
            return new RollStep.Restart(name + "-" + delete.broker(), delete.broker(), delete.reason());
        }
        return new RollStep.Wait(outcome.message());
    }

    @Override
    public ScaleOutProgress scaleOut(SluiceCluster cluster, BrokerHealth health) {
        ScaleOut.Progress progress = new ScaleOut(admin(cluster)).step(cluster.getSpec().getReplicas());
        return progress.complete() ? ScaleOutProgress.done() : ScaleOutProgress.moving(progress.message());
    }

    /** Before shrinking the StatefulSet: refused while a broker that would go still holds a replica. */
    @Override
    public ScaleInDecision checkScaleIn(SluiceCluster cluster, int currentReplicas) {
        ScaleInCheck.Result result = ScaleInCheck.check(admin(cluster), currentReplicas, cluster.getSpec().getReplicas());
        return result.allowed() ? ScaleInDecision.allow(result.replicas())
                : ScaleInDecision.refuse(result.replicas(), result.message());
    }

    private BrokerAdmin admin(SluiceCluster cluster) {
        return admins.computeIfAbsent(endpoints.clusterUri(cluster), uri -> new BrokerAdmin(uri, REQUEST_TIMEOUT));
    }

    private static RollState storedRollState(SluiceCluster cluster) {
        return RollState.fromMap(cluster.getStatus() == null ? null : cluster.getStatus().getRoll());
    }

    private static void storeRollState(SluiceCluster cluster, RollState state) {
        if (cluster.getStatus() == null) {
            cluster.setStatus(new SluiceClusterStatus());
        }
        cluster.getStatus().setRoll(state.toMap());
    }
}
