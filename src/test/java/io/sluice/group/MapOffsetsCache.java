package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The offsets cache of a one-broker cluster: a map (the cluster's is an Infinispan replicated cache). */
final class MapOffsetsCache implements OffsetsCache {
    private final Map<String, Map<TopicPartition, CommittedOffset>> groups = new ConcurrentHashMap<>();
    /** Set: listing the groups fails, as the cluster's cache does while it cannot be reached. */
    volatile boolean unreachable;

    @Override
    public void put(String groupId, Map<TopicPartition, CommittedOffset> offsets) {
        groups.computeIfAbsent(groupId, g -> new ConcurrentHashMap<>()).putAll(offsets);
    }

    @Override
    public void remove(String groupId, Iterable<TopicPartition> partitions) {
        groups.computeIfPresent(groupId, (g, offsets) -> {
            partitions.forEach(offsets::remove);
            return offsets.isEmpty() ? null : offsets;
        });
    }

    @Override
    public Map<TopicPartition, CommittedOffset> get(String groupId) {
        return Map.copyOf(groups.getOrDefault(groupId, Map.of()));
    }

    @Override
    public Iterable<String> groups() {
        if (unreachable) {
            throw new IllegalStateException("the offsets cache cannot be reached");
        }
        return Map.copyOf(groups).keySet();
    }
}
