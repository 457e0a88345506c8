package io.sluice.operator.brokers;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /topics/{t}}, the parts an operator acts on: the configuration and each partition's
 * cluster record (leader, replicas, in-sync replicas). A partition that has not been placed yet (too
 * few brokers alive) has no entry in {@code partitionStates}.
 */
public record TopicDescription(String name, String id, int partitions, int replicationFactor,
        Map<String, String> config, Map<String, String> configOverrides, List<PartitionState> partitionStates) {
    public TopicDescription {
        config = config == null ? Map.of() : Map.copyOf(config);
        configOverrides = configOverrides == null ? Map.of() : Map.copyOf(configOverrides);
        partitionStates = partitionStates == null ? List.of() : List.copyOf(partitionStates);
    }

    /** A partition's cluster record; {@code leader} is -1 while it has none. */
    public record PartitionState(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
        public PartitionState {
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
            isr = isr == null ? List.of() : List.copyOf(isr);
        }

        /** Fewer in-sync replicas than replicas: one more broker lost could cost availability or data. */
        public boolean underReplicated() {
            return isr.size() < replicas.size();
        }

        public boolean offline() {
            return leader < 0;
        }
    }
}
