package io.sluice.broker;

import io.sluice.cluster.ClusterTopic;
import io.sluice.cluster.MetadataListener;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.MetadataUnavailableException;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog;
import io.sluice.replication.ReplicaManager;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Keeps this broker's topics and replicas in line with the cluster's metadata: a topic in the
 * cluster is defined here, a partition assigned here has a log and takes the role its state gives
 * it (leader or follower at an epoch), a replica moved away is closed and removed, a topic deleted
 * in the cluster is deleted here. Runs on one thread of its own, on every metadata event and at
 * start; a pass reads the current state, so events may coalesce.
 *
 * <p>A topic found on this broker's disk that the cluster does not have (a data dir from before
 * the cluster, a cluster whose metadata was lost, or the smaller side of a merge whose copy lost)
 * is offered to it, with this broker as its only replica unless the cluster already places it.
 * One whose id the cluster tombstoned was deleted: it is deleted here. Neither is decided without
 * a quorum of the registered brokers.
 */
final class TopicReconciler implements MetadataListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TopicReconciler.class.getName());

    private final int localId;
    private final MetadataStore store;
    private final Topics topics;
    private final ReplicaManager replicas;
    private final ExecutorService thread;
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Topics this broker created: the bucket holds nothing of them yet. */
    private final Set<String> createdHere = ConcurrentHashMap.newKeySet();
    private final Map<TopicPartition, PartitionLog> registered = new HashMap<>();
    /** Why a topic could not be served here at the last pass, by topic id. */
    private final Map<String, SluiceException> failures = new ConcurrentHashMap<>();

    TopicReconciler(int localId, MetadataStore store, Topics topics, ReplicaManager replicas) {
        this.localId = localId;
        this.store = store;
        this.topics = topics;
        this.replicas = replicas;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-reconcile-" + localId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Why the topic of this id could not be served here at the last pass, or null. */
    SluiceException failure(String topicId) {
        return failures.get(topicId);
    }

    void markCreatedHere(String topicId) {
        createdHere.add(topicId);
    }

    /** Runs a pass soon (at most one queued at a time). */
    void request() {
        if (queued.compareAndSet(false, true)) {
            thread.execute(() -> {
                queued.set(false);
                reconcileLogged();
            });
        }
    }

    /** Runs a pass now, on the caller's thread. */
    void reconcileNow() {
        reconcileLogged();
    }

    @Override
    public void membershipChanged(Set<Integer> liveBrokers) {
        request();
    }

    @Override
    public void topicChanged(String topic) {
        request();
    }

    @Override
    public void partitionChanged(TopicPartition partition) {
        request();
    }

    @Override
    public void availabilityChanged(boolean available) {
        request();
    }

    private void reconcileLogged() {
        try {
            reconcile();
        } catch (MetadataUnavailableException e) {
            LOG.log(System.Logger.Level.DEBUG, "reconciling with the cluster: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "reconciling with the cluster (tried again at the next change)", e);
        }
    }

    private synchronized void reconcile() {
        Map<String, ClusterTopic> cluster = store.topics();
        Map<TopicPartition, PartitionState> states = new HashMap<>();
        store.partitions().forEach(s -> states.put(s.key(), s));
        for (ClusterTopic ct : cluster.values()) {
            try {
                adopt(ct, states);
                failures.remove(ct.id());
            } catch (SluiceException e) {
                if (failures.put(ct.id(), e) == null) {
                    LOG.log(System.Logger.Level.ERROR, "topic {0} ({1}) cannot be served here: {2}", ct.name(),
                            ct.id(), e.getMessage());
                }
            }
        }
        boolean decisive = store.isAvailable() && store.hasQuorum();
        for (Topic t : List.copyOf(topics.all())) {
            ClusterTopic ct = cluster.get(t.name());
            if (ct != null || !decisive) {
                continue;
            }
            // Only a tombstone says deleted: a topic missing after a merge (the larger side's copy won)
            // is offered again, never deleted on that guess.
            if (store.isTopicDeleted(t.metadata().id())) {
                forget(t);
            } else {
                offer(t);
            }
        }
        notifyAll();
    }

    private void adopt(ClusterTopic ct, Map<TopicPartition, PartitionState> states) {
        TopicMetadata meta = new TopicMetadata(ct.name(), ct.id(), ct.partitions(), ct.replicationFactor(),
                TopicConfig.of(ct.config(), topics.partitioners()), ct.createdAtMs());
        Set<Integer> hosted = new HashSet<>();
        for (int p = 0; p < ct.partitions(); p++) {
            PartitionState s = states.get(new TopicPartition(ct.name(), p));
            if (s != null && s.topicId().equals(ct.id())
                    && (s.replicas().contains(localId) || s.targetReplicas().contains(localId))) {
                hosted.add(p);
            }
        }
        Topic existing = topics.find(ct.name());
        if (existing != null) {
            boolean sameTopic = existing.metadata().id().equals(ct.id());
            for (Partition p : existing.partitions()) {
                if (!sameTopic || !hosted.contains(p.id())) {
                    stopReplica(new TopicPartition(ct.name(), p.id()));
                }
            }
        }
        Topic topic = topics.adopt(meta, hosted, createdHere.contains(ct.id()));
        for (Partition p : topic.partitions()) {
            TopicPartition tp = new TopicPartition(ct.name(), p.id());
            if (registered.get(tp) != p.log()) {
                registered.put(tp, p.log());
                replicas.register(tp, p.log(), () -> minInsyncReplicas(ct.name()));
            }
            PartitionState s = states.get(tp);
            if (s != null) {
                replicas.apply(s);
            }
        }
    }

    /**
     * A partition's log was reopened where the bucket ends: its replica takes its role on the new
     * log now, before the partition serves it (the next pass sees the same log and does nothing).
     */
    void logReplaced(Partition p, PartitionLog log) {
        replicas.register(new TopicPartition(p.topic(), p.id()), log, () -> minInsyncReplicas(p.topic()));
        request();
    }

    private int minInsyncReplicas(String topic) {
        Topic t = topics.find(topic);
        return t == null ? 1 : t.metadata().config().minInsyncReplicas();
    }

    private void stopReplica(TopicPartition tp) {
        if (registered.remove(tp) != null) {
            replicas.unregister(tp).join();
        }
    }

    private void forget(Topic t) {
        LOG.log(System.Logger.Level.INFO, "topic {0} ({1}) was deleted in the cluster; deleting it here", t.name(),
                t.metadata().id());
        for (Partition p : t.partitions()) {
            stopReplica(new TopicPartition(t.name(), p.id()));
        }
        topics.delete(t.name());
    }

    /** A topic only this broker's disk knows: the cluster gets it, with this broker as its replica. */
    private void offer(Topic t) {
        TopicMetadata m = t.metadata();
        ClusterTopic ct = new ClusterTopic(m.name(), m.id(), m.partitions(), m.replicationFactor(),
                m.config().overrides(), m.createdAtMs());
        try {
            if (store.createTopic(ct)) {
                LOG.log(System.Logger.Level.INFO, "topic {0} ({1}) from this broker''s disk joins the cluster",
                        m.name(), m.id());
            }
        } catch (IllegalArgumentException deleted) {
            forget(t);
            return;
        }
        for (int p = 0; p < m.partitions(); p++) {
            TopicPartition tp = new TopicPartition(m.name(), p);
            if (store.partition(tp).isEmpty()) {
                store.createPartition(PartitionState.initial(m.name(), m.id(), p, List.of(localId)));
            }
        }
    }

    /**
     * Waits until {@code condition} holds after a pass, or {@code timeoutMs}: for admin calls that
     * answer once this broker serves what they changed.
     *
     * @return whether the condition held
     */
    synchronized boolean awaitPass(BooleanSupplier condition, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        request();
        while (!condition.getAsBoolean()) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.min(left, 50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            request();
        }
        return true;
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
