package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A live topic on this broker: its metadata and one log per partition. */
public final class Topic {
    private volatile TopicMetadata metadata;
    private volatile List<PartitionLog> logs;
    private final AtomicInteger roundRobin = new AtomicInteger();

    Topic(TopicMetadata metadata, List<PartitionLog> logs) {
        this.metadata = metadata;
        this.logs = List.copyOf(logs);
    }

    public TopicMetadata metadata() {
        return metadata;
    }

    public String name() {
        return metadata.name();
    }

    public List<PartitionLog> logs() {
        return logs;
    }

    public int partitionCount() {
        return logs.size();
    }

    public PartitionLog log(int partition) {
        List<PartitionLog> current = logs;
        if (partition < 0 || partition >= current.size()) {
            throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "topic " + name() + " has no partition "
                    + partition + " (partitions: " + current.size() + ")");
        }
        return current.get(partition);
    }

    /** The next partition for a record with neither a partition nor a key. */
    int nextRoundRobin(int partitionCount) {
        return Math.floorMod(roundRobin.getAndIncrement(), partitionCount);
    }

    void update(TopicMetadata newMetadata, List<PartitionLog> newLogs) {
        this.logs = List.copyOf(newLogs);
        this.metadata = newMetadata;
    }
}
