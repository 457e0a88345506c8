package io.sluice.cluster;

/** A partition of a topic, by name: the key of partition states and of replication requests. */
public record TopicPartition(String topic, int partition) {
    @Override
    public String toString() {
        return topic + "-" + partition;
    }
}
