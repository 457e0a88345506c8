package io.sluice.operator.topic;

import java.util.Map;

/**
 * A topic as the cluster describes it.
 *
 * @param configOverrides the topic's own configuration, without the broker defaults
 */
public record TopicDescription(String name, String id, int partitions, int replicationFactor,
                               Map<String, String> configOverrides) {
    public TopicDescription {
        configOverrides = Map.copyOf(configOverrides);
    }
}
