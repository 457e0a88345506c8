package io.sluice.operator.topic;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The topic operations of a cluster's REST API that the topic reconciler needs. Any broker
 * answers each of them; {@code cluster} is the base URI of one (or of the client Service).
 */
public interface TopicAdmin {

    /** {@code GET /topics/{t}}; empty when the topic does not exist. */
    Optional<TopicDescription> describe(URI cluster, String topic);

    /** {@code POST /topics}. */
    TopicDescription create(URI cluster, String topic, int partitions, int replicationFactor, Map<String, String> config);

    /** {@code POST /topics/{t}/partitions}: grows the topic to {@code count} partitions. */
    void addPartitions(URI cluster, String topic, int count);

    /** {@code PATCH /topics/{t}/config}: sets the given overrides; a null value removes one. */
    void updateConfig(URI cluster, String topic, Map<String, String> changes);

    /** {@code DELETE /topics/{t}}: the topic and its data, on every broker. */
    void delete(URI cluster, String topic);
}
