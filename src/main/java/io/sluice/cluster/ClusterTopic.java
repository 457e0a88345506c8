package io.sluice.cluster;

import java.util.Map;

/**
 * A topic as the cluster knows it. The config is the topic's overrides in Kafka's names, kept as
 * text: the cluster layer stores and compares it, the broker layer validates and interprets it.
 */
public record ClusterTopic(String name, String id, int partitions, int replicationFactor, Map<String, String> config,
        long createdAtMs) {
    public ClusterTopic {
        config = Map.copyOf(config);
    }
}
