package io.sluice.operator.brokers;

import java.util.List;

/**
 * How whole the cluster's replication is: partitions whose ISR is smaller than their replica list,
 * and partitions with no leader. {@code source} says where the counts come from: the brokers'
 * own {@code GET /cluster} fields, or counted by this client over every topic's description (brokers
 * that do not report them). {@code examples} names a few such partitions ({@code topic-p}) when
 * they were counted here; it is empty when the broker gave the counts.
 */
public record ReplicationHealth(int underReplicatedPartitions, int offlinePartitions, Source source,
        List<String> examples) {
    /** Where the counts come from. */
    public enum Source {
        /** {@code GET /cluster}'s {@code underReplicatedPartitions} and {@code offlinePartitions}. */
        CLUSTER,
        /** Counted over {@code GET /topics} and {@code GET /topics/{t}} by this client. */
        COUNTED
    }

    public ReplicationHealth {
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    public boolean whole() {
        return underReplicatedPartitions == 0 && offlinePartitions == 0;
    }
}
