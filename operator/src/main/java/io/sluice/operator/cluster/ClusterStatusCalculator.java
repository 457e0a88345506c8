package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Condition;
import io.sluice.operator.crd.SluiceCluster;
import io.sluice.operator.crd.SluiceClusterStatus;
import java.time.Instant;
import java.util.List;

/**
 * Turns what one reconciliation observed into the SluiceCluster's status. Ready means every
 * broker is ready, runs the current template and no partition is offline; Reconciling means the
 * operator still has work (brokers starting, a roll, a scale-out); UnderReplicated is the brokers'
 * own count, Unknown while no broker answers.
 */
public final class ClusterStatusCalculator {
    public static final String READY = "Ready";
    public static final String RECONCILING = "Reconciling";
    public static final String UNDER_REPLICATED = "UnderReplicated";

    /**
     * One reconciliation's observations.
     *
     * @param readyReplicas ready broker pods, from the StatefulSet's status
     * @param rollStep      what the roll did; {@link RollStep.Done} when nothing was out of date
     * @param scaleOut      the scale-out's progress; null when it was not asked (a roll is under way)
     * @param scaleIn       whether the StatefulSet could shrink to the spec's replicas
     */
    public record Observation(int readyReplicas, BrokerHealth health, RollStep rollStep, ScaleOutProgress scaleOut,
                              ScaleInDecision scaleIn) {
    }

    private ClusterStatusCalculator() {
    }

    public static SluiceClusterStatus status(SluiceCluster cluster, Observation seen, Instant now) {
        SluiceClusterStatus previous = cluster.getStatus() == null ? new SluiceClusterStatus() : cluster.getStatus();
        long generation = cluster.getMetadata().getGeneration() == null ? 0 : cluster.getMetadata().getGeneration();
        int wanted = cluster.getSpec().getReplicas();
        boolean brokersReady = seen.readyReplicas() >= wanted;
        boolean rolled = seen.rollStep() instanceof RollStep.Done;
        boolean scaledOut = seen.scaleOut() == null || seen.scaleOut().complete();
        BrokerHealth health = seen.health();
        boolean offline = health.reachable() && health.offlinePartitions() > 0;

        SluiceClusterStatus status = new SluiceClusterStatus();
        status.setObservedGeneration(generation);
        status.setReadyReplicas(seen.readyReplicas());
        status.setBrokers(health.reachable() ? health.registeredBrokers() : previous.getBrokers());
        status.setUnderReplicatedPartitions(health.reachable() ? Integer.valueOf(health.underReplicatedPartitions()) : previous.getUnderReplicatedPartitions());
        status.setCurrentVersion(brokersReady && rolled ? cluster.getSpec().getVersion() : previous.getCurrentVersion());
        // Written by the roll (ClusterOperations) on the cluster's status during this pass.
        status.setRoll(previous.getRoll());
        boolean scaleInRefused = seen.scaleIn() != null && !seen.scaleIn().allowed();

        List<Condition> conditions = previous.getConditions();
        String readyBrokers = seen.readyReplicas() + "/" + wanted + " brokers ready";
        if (scaleInRefused) {
            conditions = Conditions.set(conditions, READY, Conditions.FALSE, "ScaleInRefused", seen.scaleIn().message(), generation, now);
        } else if (!brokersReady) {
            conditions = Conditions.set(conditions, READY, Conditions.FALSE, "BrokersNotReady", readyBrokers, generation, now);
        } else if (offline) {
            conditions = Conditions.set(conditions, READY, Conditions.FALSE, "PartitionsOffline",
                    health.offlinePartitions() + " partitions have no leader", generation, now);
        } else if (!rolled) {
            conditions = Conditions.set(conditions, READY, Conditions.FALSE, "RollingUpdate", rollMessage(seen.rollStep()), generation, now);
        } else {
            conditions = Conditions.set(conditions, READY, Conditions.TRUE, "BrokersReady", readyBrokers, generation, now);
        }

        if (scaleInRefused) {
            conditions = Conditions.set(conditions, RECONCILING, Conditions.TRUE, "ScaleInRefused", seen.scaleIn().message(), generation, now);
        } else if (!rolled) {
            conditions = Conditions.set(conditions, RECONCILING, Conditions.TRUE, "RollingUpdate", rollMessage(seen.rollStep()), generation, now);
        } else if (!brokersReady) {
            conditions = Conditions.set(conditions, RECONCILING, Conditions.TRUE, "BrokersStarting", readyBrokers, generation, now);
        } else if (!scaledOut) {
            conditions = Conditions.set(conditions, RECONCILING, Conditions.TRUE, "ScalingOut", seen.scaleOut().message(), generation, now);
        } else {
            conditions = Conditions.set(conditions, RECONCILING, Conditions.FALSE, "Reconciled", "The cluster matches its spec", generation, now);
        }

        if (!health.reachable()) {
            conditions = Conditions.set(conditions, UNDER_REPLICATED, Conditions.UNKNOWN, "BrokersUnreachable",
                    "No broker answered GET /cluster", generation, now);
        } else if (health.underReplicatedPartitions() > 0) {
            conditions = Conditions.set(conditions, UNDER_REPLICATED, Conditions.TRUE, "PartitionsUnderReplicated",
                    health.underReplicatedPartitions() + " partitions have fewer in-sync replicas than replicas", generation, now);
        } else {
            conditions = Conditions.set(conditions, UNDER_REPLICATED, Conditions.FALSE, "FullyReplicated",
                    "Every partition has its full ISR", generation, now);
        }
        status.setConditions(conditions);
        return status;
    }

    /** Whether the operator should look again soon rather than at its resting interval. */
    public static boolean busy(SluiceClusterStatus status) {
        return Conditions.find(status.getConditions(), RECONCILING).map(c -> Conditions.TRUE.equals(c.getStatus())).orElse(true)
                || Conditions.find(status.getConditions(), UNDER_REPLICATED).map(c -> !Conditions.FALSE.equals(c.getStatus())).orElse(true);
    }

    private static String rollMessage(RollStep step) {
        if (step instanceof RollStep.Wait wait) {
            return "Waiting: " + wait.reason();
        }
        if (step instanceof RollStep.Restart restart) {
            return "Restarting " + restart.podName() + " (broker " + restart.brokerId() + "): " + restart.reason();
        }
        return "";
    }
}
