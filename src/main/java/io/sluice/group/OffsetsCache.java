package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Map;

/**
 * Committed offsets as every broker reads them: a materialised view of {@code __consumer_offsets}
 * (an Infinispan cache in a cluster). Only a group's coordinator writes it, after the commit record
 * is committed in the topic; the topic stays the source of truth and rebuilds it on a takeover.
 */
public interface OffsetsCache {
    void put(String groupId, Map<TopicPartition, CommittedOffset> offsets);

    /** Removes these partitions' offsets of the group. */
    void remove(String groupId, Iterable<TopicPartition> partitions);

    /** Every committed offset of the group; empty when it has none. */
    Map<TopicPartition, CommittedOffset> get(String groupId);

    /** The ids of every group with committed offsets. */
    Iterable<String> groups();
}
