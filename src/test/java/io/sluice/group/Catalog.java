package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Topics and end offsets a test sets as it goes. */
final class Catalog implements TopicCatalog {
    private final Map<String, Integer> partitions = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> ends = new ConcurrentHashMap<>();

    Catalog topic(String name, int partitionCount) {
        partitions.put(name, partitionCount);
        return this;
    }

    void end(TopicPartition tp, long endOffset) {
        ends.put(tp, endOffset);
    }

    @Override
    public int partitionCount(String topic) {
        return partitions.getOrDefault(topic, -1);
    }

    @Override
    public long endOffset(TopicPartition partition) {
        return ends.getOrDefault(partition, partitions.containsKey(partition.topic()) ? 0L : -1L);
    }
}
