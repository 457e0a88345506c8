package io.sluice.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cluster's shared metadata: brokers, topics and partition states, the same on every broker.
 * Every write is conditional (put-if-absent, or replace of an expected value), so writers that
 * race see exactly one of them win. On the minority side of a network split the store is not
 * {@link #isAvailable() available}: writes throw {@link MetadataUnavailableException}, so a broker
 * cut off from the majority can neither change leadership nor shrink an ISR.
 */
public interface MetadataStore extends AutoCloseable {
    String clusterId();

    int localBrokerId();

    /** Every broker that ever registered, alive or not. */
    Map<Integer, BrokerInfo> brokers();

    /** The brokers in the current cluster view. */
    Set<Integer> liveBrokers();

    /** The broker that runs the controller: the coordinator of the cluster view. */
    int controllerId();

    default boolean isController() {
        return controllerId() == localBrokerId();
    }

    /** Whether this broker is on a side of the cluster that may read and write metadata. */
    boolean isAvailable();

    /**
     * Whether more than half of the registered brokers are in the view. A broker that restarts
     * before the others holds only its own, possibly stale, copy of the metadata: until a majority
     * is back, nothing (leaders, ISRs) may be decided from it.
     */
    default boolean hasQuorum() {
        int registered = Math.max(1, brokers().size());
        return liveBrokers().size() * 2 > registered;
    }

    /**
     * The registered brokers being drained: the controller moves their leaderships to other in-sync
     * replicas and elects none of them while another in-sync replica is alive. A broker stops
     * draining when asked to, or when it registers again after a restart.
     */
    Set<Integer> drainingBrokers();

    /**
     * Marks broker {@code brokerId} draining or not. Idempotent: marking a draining broker again, or
     * clearing one that is not draining, writes nothing.
     */
    void setDraining(int brokerId, boolean draining);

    Map<String, ClusterTopic> topics();

    /** @return false when a topic of that name exists */
    boolean createTopic(ClusterTopic topic);

    /** @return false when the stored topic is not {@code expected} */
    boolean replaceTopic(ClusterTopic expected, ClusterTopic updated);

    /** @return false when the stored topic is not {@code expected}; else it is removed and its id tombstoned */
    boolean removeTopic(ClusterTopic expected);

    /** Whether the topic of this id was deleted: it never comes back, under any name. */
    boolean isTopicDeleted(String topicId);

    Optional<PartitionState> partition(TopicPartition partition);

    Collection<PartitionState> partitions();

    /** @return false when a state for that partition exists */
    boolean createPartition(PartitionState state);

    /**
     * Replaces {@code expected} by {@code updated} when the stored state is still {@code expected}
     * and {@code updated} is its next version ({@code partitionEpoch + 1}, leader epoch not lower).
     *
     * @return whether the write happened
     */
    boolean compareAndSet(PartitionState expected, PartitionState updated);

    /** @return false when the stored state is not {@code expected} */
    boolean removePartition(PartitionState expected);

    void addListener(MetadataListener listener);

    @Override
    void close();
}
