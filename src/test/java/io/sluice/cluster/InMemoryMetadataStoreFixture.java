package io.sluice.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Test fixture: the shared metadata of a simulated cluster held in memory, with one
 * {@link MetadataStore} view per broker. It keeps the contract of the interface as the real store
 * must: every write is conditional and atomic; a partition state moves only to its next version
 * (a malformed update throws here, stricter than a store that would just refuse it, so a controller
 * bug fails the test at once); the controller is the first member of the view in join order, as
 * the coordinator of a JGroups view is; a broker on the minority side of a split can neither read
 * nor write (DENY_READ_WRITES); listeners hear of changes on a notifier thread of their own, never
 * the writer's.
 */
final class InMemoryMetadataStoreFixture implements AutoCloseable {
    private final Map<Integer, BrokerInfo> brokers = new HashMap<>();
    /** The cluster view in join order: its first member is the coordinator. */
    private final LinkedHashSet<Integer> view = new LinkedHashSet<>();
    private final Set<Integer> cutOff = new HashSet<>();
    private final Map<String, ClusterTopic> topics = new HashMap<>();
    private final Set<Integer> draining = new HashSet<>();
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    private final Map<Integer, List<MetadataListener>> listeners = new HashMap<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "fixture-metadata-notifier");
        t.setDaemon(true);
        return t;
    });
    private int compareAndSetFailures;

    /** A broker registers and joins the view. */
    synchronized void join(int id, String rack) {
        brokers.put(id, new BrokerInfo(id, "127.0.0.1", 8000 + id, "127.0.0.1", 9000 + id, rack));
        view.add(id);
        announce(l -> l.membershipChanged(Set.copyOf(view)));
    }

    /** The broker leaves the view (killed); it stays registered. */
    synchronized void kill(int id) {
        view.remove(id);
        announce(l -> l.membershipChanged(Set.copyOf(view)));
    }

    /** The broker is cut off from the majority: its view can neither read nor write. */
    synchronized void cutOff(int id, boolean isolated) {
        if (isolated ? cutOff.add(id) : cutOff.remove(id)) {
            List<MetadataListener> own = List.copyOf(listeners.getOrDefault(id, List.of()));
            notifier.execute(() -> own.forEach(l -> l.availabilityChanged(!isolated)));
        }
    }

    synchronized int compareAndSetFailures() {
        return compareAndSetFailures;
    }

    /** The metadata as broker {@code id} sees it. */
    MetadataStore store(int id) {
        return new View(id);
    }

    @Override
    public void close() throws InterruptedException {
        notifier.shutdown();
        notifier.awaitTermination(5, TimeUnit.SECONDS);
    }

    private void announce(Consumer<MetadataListener> event) {
        List<MetadataListener> all = new ArrayList<>();
        listeners.values().forEach(all::addAll);
        notifier.execute(() -> all.forEach(event));
    }

    private final class View implements MetadataStore {
        private final int id;

        View(int id) {
            this.id = id;
        }

        private void check() {
            if (cutOff.contains(id)) {
                throw new MetadataUnavailableException("broker " + id + " is on the minority side", null);
            }
        }

        @Override
        public String clusterId() {
            return "fixture";
        }

        @Override
        public int localBrokerId() {
            return id;
        }

        @Override
        public Map<Integer, BrokerInfo> brokers() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                return Map.copyOf(brokers);
            }
        }

        @Override
        public Set<Integer> liveBrokers() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                return Set.copyOf(view);
            }
        }

        @Override
        public int controllerId() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                return view.isEmpty() ? -1 : view.iterator().next();
            }
        }

        @Override
        public boolean isAvailable() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                return !cutOff.contains(id) && view.contains(id);
            }
        }

        @Override
        public Set<Integer> drainingBrokers() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                return Set.copyOf(draining);
            }
        }

        @Override
        public void setDraining(int brokerId, boolean drain) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (drain ? draining.add(brokerId) : draining.remove(brokerId)) {
                    announce(MetadataListener::drainingChanged);
                }
            }
        }

        @Override
        public Map<String, ClusterTopic> topics() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                return Map.copyOf(topics);
            }
        }

        @Override
        public boolean createTopic(ClusterTopic topic) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (topics.putIfAbsent(topic.name(), topic) != null) {
                    return false;
                }
                announce(l -> l.topicChanged(topic.name()));
                return true;
            }
        }

        @Override
        public boolean isTopicDeleted(String topicId) {
            return false;
        }

        @Override
        public boolean replaceTopic(ClusterTopic expected, ClusterTopic updated) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (!expected.name().equals(updated.name()) || !topics.replace(expected.name(), expected, updated)) {
                    return false;
                }
                announce(l -> l.topicChanged(updated.name()));
                return true;
            }
        }

        @Override
        public boolean removeTopic(ClusterTopic expected) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (!topics.remove(expected.name(), expected)) {
                    return false;
                }
                announce(l -> l.topicChanged(expected.name()));
                return true;
            }
        }

        @Override
        public Optional<PartitionState> partition(TopicPartition partition) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                return Optional.ofNullable(partitions.get(partition));
            }
        }

        @Override
        public Collection<PartitionState> partitions() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                return List.copyOf(partitions.values());
            }
        }

        @Override
        public boolean createPartition(PartitionState state) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (partitions.putIfAbsent(state.key(), state) != null) {
                    return false;
                }
                announce(l -> l.partitionChanged(state.key()));
                return true;
            }
        }

        @Override
        public boolean compareAndSet(PartitionState expected, PartitionState updated) {
            if (!expected.key().equals(updated.key()) || !expected.topicId().equals(updated.topicId())
                    || updated.partitionEpoch() != expected.partitionEpoch() + 1
                    || updated.leaderEpoch() < expected.leaderEpoch()) {
                throw new IllegalArgumentException("not the next version: " + expected + " -> " + updated);
            }
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (!partitions.replace(expected.key(), expected, updated)) {
                    compareAndSetFailures++;
                    return false;
                }
                announce(l -> l.partitionChanged(updated.key()));
                return true;
            }
        }

        @Override
        public boolean removePartition(PartitionState expected) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                check();
                if (!partitions.remove(expected.key(), expected)) {
                    return false;
                }
                announce(l -> l.partitionChanged(expected.key()));
                return true;
            }
        }

        @Override
        public void addListener(MetadataListener listener) {
            synchronized (InMemoryMetadataStoreFixture.this) {
                listeners.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
            }
        }

        @Override
        public void close() {
            synchronized (InMemoryMetadataStoreFixture.this) {
                listeners.remove(id);
            }
        }
    }
}
