package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.group.TopicCatalog;

/**
 * The topics as the group coordinator sees them: partition counts from the topic metadata every
 * broker holds, and end offsets (high watermarks) from this broker's replicas; a partition with no
 * replica here has no end offset known here (-1).
 */
final class BrokerTopicCatalog implements TopicCatalog {
    private final Topics topics;

    BrokerTopicCatalog(Topics topics) {
        this.topics = topics;
    }

    @Override
    public int partitionCount(String topic) {
        Topic t = topics.find(topic);
        return t == null ? -1 : t.partitionCount();
    }

    @Override
    public long endOffset(TopicPartition partition) {
        Topic t = topics.find(partition.topic());
        if (t == null || partition.partition() < 0 || partition.partition() >= t.partitionCount()
                || !t.holds(partition.partition())) {
            return -1;
        }
        return t.partition(partition.partition()).highWatermark();
    }
}
