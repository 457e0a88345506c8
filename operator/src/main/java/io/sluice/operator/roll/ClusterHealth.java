package io.sluice.operator.roll;

import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.ReplicationHealth;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The brokers' view of the cluster that gates a roll: whether the answering broker's view counts
 * (it is in a majority), which brokers are alive, which runs the controller (-1 unknown), and the
 * under-replicated and offline partitions ({@code examples} names some when they were counted).
 */
public record ClusterHealth(boolean quorum, int controller, Set<Integer> aliveBrokers, int underReplicatedPartitions,
        int offlinePartitions, List<String> examples) {
    public ClusterHealth {
        aliveBrokers = Set.copyOf(aliveBrokers);
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    public static ClusterHealth of(ClusterInfo cluster, ReplicationHealth replication) {
        Set<Integer> alive = new TreeSet<>();
        cluster.brokers().stream().filter(ClusterInfo.Member::alive).forEach(b -> alive.add(b.id()));
        return new ClusterHealth(cluster.quorum(), cluster.controller(), alive,
                replication.underReplicatedPartitions(), replication.offlinePartitions(), replication.examples());
    }

    /** Every partition has its full ISR and a leader. */
    public boolean replicationWhole() {
        return underReplicatedPartitions == 0 && offlinePartitions == 0;
    }
}
