package io.sluice.group;

import io.sluice.cluster.TopicPartition;

/** What the coordinator needs to know of the topics its groups read. */
public interface TopicCatalog {
    /** The topic's partition count, or -1 when there is no such topic. */
    int partitionCount(String topic);

    /** The partition's high watermark, or -1 when it is unknown here. */
    long endOffset(TopicPartition partition);
}
