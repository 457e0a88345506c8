package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A topic as this broker serves it: its metadata (the whole topic, every partition) and the
 * partitions it holds a replica of. In a cluster a broker holds some of a topic's partitions; the
 * others are reached through their leaders.
 */
public final class Topic {
    private volatile TopicMetadata metadata;
    /** The replicas held here, by partition number. */
    private volatile NavigableMap<Integer, Partition> local;
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final Map<Integer, Object> forwardingKeys = new ConcurrentHashMap<>();

    Topic(TopicMetadata metadata, Collection<Partition> partitions) {
        this.metadata = metadata;
        this.local = index(partitions);
    }

    private static NavigableMap<Integer, Partition> index(Collection<Partition> partitions) {
        NavigableMap<Integer, Partition> byId = new TreeMap<>();
        partitions.forEach(p -> byId.put(p.id(), p));
        return Collections.unmodifiableNavigableMap(byId);
    }

    public TopicMetadata metadata() {
        return metadata;
    }

    public String name() {
        return metadata.name();
    }

    /** The partitions this broker holds a replica of, by number. */
    public List<Partition> partitions() {
        return List.copyOf(local.values());
    }

    /** The local logs, one per partition held here. */
    public List<PartitionLog> logs() {
        return local.values().stream().map(Partition::log).toList();
    }

    /** The topic's partition count, whether held here or not. */
    public int partitionCount() {
        return metadata.partitions();
    }

    /** Whether this broker holds a replica of {@code partition}. */
    public boolean holds(int partition) {
        return local.containsKey(partition);
    }

    /** The local replica of a partition; PARTITION_NOT_FOUND when the topic has no such partition. */
    public Partition partition(int partition) {
        checkExists(partition);
        Partition p = local.get(partition);
        if (p == null) {
            throw new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition " + partition + " of topic "
                    + name() + " has no replica on this broker");
        }
        return p;
    }

    /** Throws PARTITION_NOT_FOUND unless the topic has {@code partition}. */
    public void checkExists(int partition) {
        if (partition < 0 || partition >= metadata.partitions()) {
            throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "topic " + name() + " has no partition "
                    + partition + " (partitions: " + metadata.partitions() + ")");
        }
    }

    public PartitionLog log(int partition) {
        return partition(partition).log();
    }

    /** A stable identity for a partition led elsewhere, as long as this topic lives (what its in-flight budget is keyed by). */
    Object forwardingKey(int partition) {
        return forwardingKeys.computeIfAbsent(partition, p -> new Object());
    }

    /** The next partition for a record with neither a partition nor a key. */
    int nextRoundRobin(int partitionCount) {
        return Math.floorMod(roundRobin.getAndIncrement(), partitionCount);
    }

    void update(TopicMetadata newMetadata, Collection<Partition> newPartitions) {
        this.local = index(newPartitions);
        this.metadata = newMetadata;
    }
}
