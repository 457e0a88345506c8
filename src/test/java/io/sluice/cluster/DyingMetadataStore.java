package io.sluice.cluster;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test fixture: a broker's view of the metadata that dies (every call throws from then on) once it
 * has made a given number of writes, as the controller's broker killed between two of its writes.
 */
final class DyingMetadataStore implements MetadataStore {
    private final MetadataStore delegate;
    private final int writesBeforeDeath;
    private int writes;

    DyingMetadataStore(MetadataStore delegate, int writesBeforeDeath) {
        this.delegate = delegate;
        this.writesBeforeDeath = writesBeforeDeath;
    }

    boolean dead() {
        return writes >= writesBeforeDeath;
    }

    private void write() {
        if (dead()) {
            throw new MetadataUnavailableException("killed after " + writes + " writes", null);
        }
        writes++;
    }

    @Override
    public String clusterId() {
        return delegate.clusterId();
    }

    @Override
    public int localBrokerId() {
        return delegate.localBrokerId();
    }

    @Override
    public Map<Integer, BrokerInfo> brokers() {
        return delegate.brokers();
    }

    @Override
    public Set<Integer> liveBrokers() {
        return delegate.liveBrokers();
    }

    @Override
    public int controllerId() {
        return delegate.controllerId();
    }

    @Override
    public boolean isAvailable() {
        return delegate.isAvailable();
    }

    @Override
    public Set<Integer> drainingBrokers() {
        return delegate.drainingBrokers();
    }

    @Override
    public void setDraining(int brokerId, boolean draining) {
        write();
        delegate.setDraining(brokerId, draining);
    }

    @Override
    public Map<String, ClusterTopic> topics() {
        return delegate.topics();
    }

    @Override
    public boolean createTopic(ClusterTopic topic) {
        write();
        return delegate.createTopic(topic);
    }

    @Override
    public boolean replaceTopic(ClusterTopic expected, ClusterTopic updated) {
        write();
        return delegate.replaceTopic(expected, updated);
    }

    @Override
    public boolean removeTopic(ClusterTopic expected) {
        write();
        return delegate.removeTopic(expected);
    }

    @Override
    public boolean isTopicDeleted(String topicId) {
        return delegate.isTopicDeleted(topicId);
    }

    @Override
    public Optional<PartitionState> partition(TopicPartition partition) {
        return delegate.partition(partition);
    }

    @Override
    public Collection<PartitionState> partitions() {
        return delegate.partitions();
    }

    @Override
    public boolean createPartition(PartitionState state) {
        write();
        return delegate.createPartition(state);
    }

    @Override
    public boolean compareAndSet(PartitionState expected, PartitionState updated) {
        write();
        return delegate.compareAndSet(expected, updated);
    }

    @Override
    public boolean removePartition(PartitionState expected) {
        write();
        return delegate.removePartition(expected);
    }

    @Override
    public void addListener(MetadataListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
