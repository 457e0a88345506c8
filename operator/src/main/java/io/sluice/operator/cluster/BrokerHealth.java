package io.sluice.operator.cluster;

import java.util.List;

/**
 * The brokers' own view of a cluster, from {@code GET /cluster}: the registered broker ids, the
 * alive ones among them, and the partitions short of replicas or leader.
 *
 * @param reachable                 false when no broker answered; the counts are then 0 and mean nothing
 * @param registeredBrokers         ids of every registered broker, ascending
 * @param aliveBrokers              ids of the registered brokers in the answering broker's view, ascending
 * @param underReplicatedPartitions partitions whose ISR is smaller than their replica list
 * @param offlinePartitions         partitions with no leader
 */
public record BrokerHealth(boolean reachable, List<Integer> registeredBrokers, List<Integer> aliveBrokers,
                           int underReplicatedPartitions, int offlinePartitions) {

    public BrokerHealth {
        registeredBrokers = List.copyOf(registeredBrokers);
        aliveBrokers = List.copyOf(aliveBrokers);
    }

    /** No broker answered. */
    public static BrokerHealth unreachable() {
        return new BrokerHealth(false, List.of(), List.of(), 0, 0);
    }

    /** Every partition has its full ISR and a leader. */
    public boolean fullyReplicated() {
        return reachable && underReplicatedPartitions == 0 && offlinePartitions == 0;
    }
}
