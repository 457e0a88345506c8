package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A live topic on this broker: its metadata and its partitions. */
public final class Topic {
    private volatile TopicMetadata metadata;
    private volatile List<Partition> partitions;
    private final AtomicInteger roundRobin = new AtomicInteger();

    Topic(TopicMetadata metadata, List<Partition> partitions) {
        this.metadata = metadata;
        this.partitions = List.copyOf(partitions);
    }

    public TopicMetadata metadata() {
        return metadata;
    }

    public String name() {
        return metadata.name();
    }

    public List<Partition> partitions() {
        return partitions;
    }

    /** The local logs, one per partition. */
    public List<PartitionLog> logs() {
        return partitions.stream().map(Partition::log).toList();
    }

    public int partitionCount() {
        return partitions.size();
    }

    public Partition partition(int partition) {
        List<Partition> current = partitions;
        if (partition < 0 || partition >= current.size()) {
            throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "topic " + name() + " has no partition "
                    + partition + " (partitions: " + current.size() + ")");
        }
        return current.get(partition);
    }

    public PartitionLog log(int partition) {
        return partition(partition).log();
    }

    /** The next partition for a record with neither a partition nor a key. */
    int nextRoundRobin(int partitionCount) {
        return Math.floorMod(roundRobin.getAndIncrement(), partitionCount);
    }

    void update(TopicMetadata newMetadata, List<Partition> newPartitions) {
        this.partitions = List.copyOf(newPartitions);
        this.metadata = newMetadata;
    }
}
