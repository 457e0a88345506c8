package io.sluice.broker;

import io.sluice.broker.ReplicationClients.Purpose;
import io.sluice.cluster.BrokerInfo;
import io.sluice.cluster.ClusterAdmin;
import io.sluice.cluster.ClusterConfig;
import io.sluice.cluster.ClusterTopic;
import io.sluice.cluster.Controller;
import io.sluice.cluster.ControllerSettings;
import io.sluice.cluster.InfinispanMetadataStore;
import io.sluice.cluster.MetadataListener;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.ReassignmentProgress;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.GroupSettings;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.ReplicationServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The cluster side of a broker: its membership in the metadata cluster, the controller (active
 * while this broker is the coordinator), its replicas and their replication, the inter-broker
 * listener and the topic admin operations, which go through the cluster's metadata and answer
 * once this broker serves what they changed. A broker alone runs the same parts, with no listener
 * and a metadata store of its own.
 */
final class BrokerCluster implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BrokerCluster.class.getName());
    /** How long an admin call waits for the cluster to act on its change (elect leaders, open logs). */
    static final long ADMIN_WAIT_MS = 15_000;

    private final int localId;
    private final ClusterSettings settings;
    private final InfinispanMetadataStore store;
    private final ClusterAdmin admin;
    private final BrokerDrains drains;
    private final Controller controller;
    private final ReplicaManager replicas;
    private final Vertx vertx;
    private final ReplicationClients clients;
    private final ReplicationServer server;
    private final PartitionRouter router;
    private final TopicReconciler reconciler;
    private final Topics topics;
    private final BrokerInfo self;
    private final BrokerGroups groups;

    BrokerCluster(int localId, Path dataDir, ClusterSettings settings, GroupSettings groupSettings, Topics topics,
            PartitionReads reads, ScheduledExecutorService scheduler, ExecutorService fetchPool, LongSupplier clock) {
        this.localId = localId;
        this.settings = settings;
        this.topics = topics;
        ClusterConfig clusterConfig = settings.toClusterConfig(localId, dataDir);
        this.store = InfinispanMetadataStore.open(clusterConfig);
        boolean alone = settings.singleBroker();
        BrokerGroups built = null;
        try {
            this.vertx = alone ? null : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
            this.clients = alone ? null : new ReplicationClients(vertx, store, settings.bindAddress());
            this.replicas = new ReplicaManager(localId, store, settings.replication(),
                    id -> clients.get(id, Purpose.REPLICATION), scheduler, fetchPool, clock);
            this.router = new PartitionRouter(localId, store, replicas, clients, scheduler,
                    settings.replication().ackTimeoutMs());
            reads.routeThrough(router);
            // before the listener and the first reconciliation: it hears every leadership this broker takes
            built = BrokerGroups.start(localId, groupSettings, settings, store, topics, replicas, clients,
                    (name, partitions, rf, config) -> createTopic(name, partitions, rf, config, clock.getAsLong()),
                    scheduler, fetchPool, clock);
            this.groups = built;
            this.server = alone ? null : startServer(reads);
            this.self = new BrokerInfo(localId, settings.advertisedHost(), settings.httpPort(),
                    settings.bindAddress(), server == null ? settings.replicationPort() : server.port(),
                    settings.rack());
            store.register(self);
            store.addListener(new MetadataListener() {
                @Override
                public void membershipChanged(Set<Integer> liveBrokers) {
                    registerAgainIfLost();
                }

                @Override
                public void availabilityChanged(boolean available) {
                    registerAgainIfLost();
                }
            });
            this.admin = new ClusterAdmin(store);
            this.drains = new BrokerDrains(store, admin, scheduler);
            this.reconciler = new TopicReconciler(localId, store, topics, replicas);
            store.addListener(reconciler);
            topics.onLogReplaced(reconciler::logReplaced);
            reconciler.reconcileNow();
            this.controller = new Controller(store, ControllerSettings.defaults());
            controller.start();
            if (alone && !awaitRoles(ADMIN_WAIT_MS)) {
                LOG.log(System.Logger.Level.WARNING, "broker {0} has not taken every partition's leadership yet",
                        localId);
            }
        } catch (RuntimeException e) {
            if (built != null) {
                built.close();
            }
            store.close();
            throw e;
        }
    }

    /**
     * A merge keeps the larger side's copy of the broker list: a broker that started alone and
     * registered there is missing from the merged cluster until it registers again.
     */
    private void registerAgainIfLost() {
        try {
            if (store.isAvailable() && !self.equals(store.brokers().get(localId))) {
                store.register(self);
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "registering broker " + localId + " again: " + e);
        }
    }

    private ReplicationServer startServer(PartitionReads reads) {
        ReplicationServer s = new ReplicationServer(vertx, ReplicationServer.Options.defaults(settings.bindAddress(),
                settings.replicationPort()), new InterBrokerHandler(replicas, reads, groups));
        try {
            s.start().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "cannot listen for other brokers on "
                    + settings.bindAddress() + ":" + settings.replicationPort() + ": " + SluiceException.causeOf(e), e);
        }
        return s;
    }

    BrokerGroups groups() {
        return groups;
    }

    PartitionRouter router() {
        return router;
    }

    MetadataStore store() {
        return store;
    }

    ReplicaManager replicas() {
        return replicas;
    }

    /**
     * Waits until this broker has taken the role the cluster gives each of its replicas: the start
     * is over for readiness. A broker cut off from a quorum waits for it.
     */
    boolean awaitRoles(long timeoutMs) {
        return reconciler.awaitPass(this::rolesTaken, timeoutMs);
    }

    boolean rolesTaken() {
        if (!store.hasQuorum()) {
            return false;
        }
        for (PartitionState s : store.partitions()) {
            if (s.leader() == localId && replicas.leaderEpochIfLeading(s.key()) != s.leaderEpoch()) {
                return false;
            }
        }
        return true;
    }

    // ---- topic admin ------------------------------------------------------------------------------

    Topic createTopic(String name, int partitions, int replicationFactor, Map<String, String> config,
            long nowMs) {
        TopicConfig topicConfig = topics.validateNew(name, partitions, replicationFactor, config,
                store.topics().keySet());
        // A new id: the objects of a deleted topic of the same name, keyed by its old id, are never adopted.
        String id = UUID.randomUUID().toString();
        reconciler.markCreatedHere(id);
        ClusterTopic created = new ClusterTopic(name, id, partitions, replicationFactor, topicConfig.overrides(),
                nowMs);
        admin.createTopic(created);
        SluiceException failed = awaitServed(name, id, "creating topic " + name);
        if (failed != null) {
            // All or nothing: a topic this broker cannot open its share of is taken back.
            store.removeTopic(created);
            // Gone from the cluster and from here: a pass may have adopted its first partitions already.
            reconciler.awaitPass(() -> store.partitions().stream().noneMatch(s -> s.topicId().equals(id))
                    && (topics.find(name) == null || !topics.find(name).metadata().id().equals(id)), ADMIN_WAIT_MS);
            throw failed;
        }
        return topics.find(name);
    }

    Topic updateTopicConfig(String name, Map<String, String> changes) {
        for (int attempt = 0; ; attempt++) {
            ClusterTopic current = clusterTopic(name);
            TopicConfig merged = TopicConfig.of(current.config(), topics.partitioners()).with(changes,
                    topics.partitioners());
            Topics.checkMinIsr(merged, current.replicationFactor());
            ClusterTopic updated = new ClusterTopic(name, current.id(), current.partitions(),
                    current.replicationFactor(), merged.overrides(), current.createdAtMs());
            if (store.replaceTopic(current, updated)) {
                reconciler.awaitPass(() -> {
                    Topic t = topics.find(name);
                    return t != null && t.metadata().config().equals(merged);
                }, ADMIN_WAIT_MS);
                return topics.find(name);
            }
            if (attempt > 10) {
                throw new SluiceException(ErrorCode.BROKER_BUSY, "topic " + name + " keeps changing; retry later");
            }
        }
    }

    Topic addPartitions(String name, int newCount) {
        ClusterTopic current = clusterTopic(name);
        if (newCount <= current.partitions()) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic " + name + " has " + current.partitions()
                    + " partitions; the count can only grow, asked for " + newCount);
        }
        TopicMetadata.validatePartitionCount(newCount);
        admin.growPartitions(name, newCount);
        SluiceException failed = awaitServed(name, current.id(), "growing topic " + name);
        if (failed != null) {
            shrinkBack(current, newCount);
            throw failed;
        }
        return topics.find(name);
    }

    /** Takes back a growth this broker could not open its share of: the new partitions' states, then the count. */
    private void shrinkBack(ClusterTopic before, int grownTo) {
        for (int p = before.partitions(); p < grownTo; p++) {
            store.partition(new TopicPartition(before.name(), p)).ifPresent(store::removePartition);
        }
        ClusterTopic grown = store.topics().get(before.name());
        if (grown != null && grown.id().equals(before.id())) {
            store.replaceTopic(grown, before);
        }
        reconciler.awaitPass(() -> {
            Topic t = topics.find(before.name());
            return t != null && t.partitionCount() == before.partitions();
        }, ADMIN_WAIT_MS);
    }

    void deleteTopic(String name) {
        ClusterTopic current = clusterTopic(name);
        if (!store.removeTopic(current)) {
            throw new SluiceException(ErrorCode.BROKER_BUSY, "topic " + name + " changed while being deleted; retry");
        }
        reconciler.awaitPass(() -> {
            Topic t = topics.find(name);
            return t == null || !t.metadata().id().equals(current.id());
        }, ADMIN_WAIT_MS);
    }

    void requestReassignment(String name, Map<Integer, List<Integer>> targets) {
        clusterTopic(name);
        admin.requestReassignment(name, targets);
    }

    List<ReassignmentProgress> reassignmentProgress(String name) {
        clusterTopic(name);
        return admin.reassignmentProgress(name);
    }

    // ---- drain ------------------------------------------------------------------------------------

    CompletableFuture<DrainStatus> drain(int broker, long timeoutMs) {
        return drains.drain(broker, timeoutMs);
    }

    DrainStatus undrain(int broker) {
        return drains.undrain(broker);
    }

    /**
     * Controlled shutdown: hands this broker's leaderships to other in-sync replicas before it stops,
     * waiting at most {@code timeoutMs}, so clients meet a new leader at once instead of after failure
     * detection. A broker alone, or one cut off from a quorum (no controller acts for it), has nobody to
     * hand them to and skips it; a failure is logged and the shutdown goes on.
     */
    void drainForShutdown(long timeoutMs) {
        if (settings.singleBroker() || timeoutMs <= 0 || !store.isAvailable() || !store.hasQuorum()) {
            return;
        }
        long start = System.nanoTime();
        try {
            DrainStatus status = drains.drain(localId, timeoutMs).get(timeoutMs + ADMIN_WAIT_MS,
                    TimeUnit.MILLISECONDS);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            if (status.leaderships() == 0) {
                LOG.log(System.Logger.Level.INFO, "broker {0} drained before shutdown in {1} ms: it leads no "
                        + "partition", localId, tookMs);
            } else {
                LOG.log(System.Logger.Level.WARNING, "broker {0} still leads {1} partitions after {2} ms of drain "
                        + "before shutdown (no other in-sync replica alive): they have no leader until it returns",
                        localId, status.leaderships(), tookMs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "broker {0}: drain before shutdown failed ({1}); stopping anyway",
                    localId, String.valueOf(SluiceException.causeOf(e).getMessage()));
        }
    }

    private ClusterTopic clusterTopic(String name) {
        ClusterTopic t = store.topics().get(name);
        if (t == null) {
            throw new SluiceException(ErrorCode.TOPIC_NOT_FOUND, "topic '" + name + "' does not exist");
        }
        return t;
    }

    /**
     * Waits until every partition of the topic has a leader and this broker serves its share of it.
     *
     * @return why this broker cannot serve its share, or null
     */
    private SluiceException awaitServed(String name, String id, String what) {
        boolean served = reconciler.awaitPass(() -> {
            if (reconciler.failure(id) != null) {
                return true;
            }
            Topic t = topics.find(name);
            ClusterTopic ct = store.topics().get(name);
            if (t == null || ct == null || !t.metadata().id().equals(id) || t.partitionCount() != ct.partitions()) {
                return false;
            }
            for (int p = 0; p < ct.partitions(); p++) {
                Optional<PartitionState> s = store.partition(new TopicPartition(name, p));
                if (s.isEmpty() || !s.get().hasLeader()) {
                    return false;
                }
                if (s.get().leader() == localId && replicas.leaderEpochIfLeading(s.get().key()) < 0) {
                    return false;
                }
            }
            return true;
        }, ADMIN_WAIT_MS);
        if (!served) {
            LOG.log(System.Logger.Level.WARNING, "{0}: the cluster has not placed every partition yet; its "
                    + "partitions without a leader refuse records until it does", what);
        }
        return reconciler.failure(id);
    }

    @Override
    public void close() {
        closeQuietly(groups);
        closeQuietly(controller);
        closeQuietly(reconciler);
        closeQuietly(replicas);
        if (server != null) {
            closeQuietly(server);
        }
        if (clients != null) {
            closeQuietly(clients);
        }
        closeQuietly(store);
        if (vertx != null) {
            vertx.close();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + c.getClass().getSimpleName(), e);
        }
    }
}
