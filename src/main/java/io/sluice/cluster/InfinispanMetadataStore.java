package io.sluice.cluster;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.infinispan.Cache;
import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.cache.ConfigurationBuilder;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.conflict.MergePolicy;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.partitionhandling.PartitionHandling;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;
import org.jgroups.stack.Protocol;

/**
 * The cluster metadata in an embedded Infinispan cache manager: five replicated, synchronous caches
 * (brokers, topics, partition states, topic tombstones, drain marks) over Sluice's own JGroups stack, with
 * DENY_READ_WRITES partition handling, a mirror that serves reads and is persisted under
 * {@code dataDir/cluster/}, and the cluster view as membership (a view member {@code broker-{id}} is
 * a live broker, the view's coordinator runs the controller). With no seeds and no DNS query the same
 * code runs on a local cache manager: a cluster of one.
 */
public final class InfinispanMetadataStore implements MetadataStore {
    private static final System.Logger LOG = System.getLogger(InfinispanMetadataStore.class.getName());
    /** A random id chosen by the first broker that offers its metadata, kept in the brokers cache under this key. */
    private static final String CLUSTER_ID_KEY = "cluster-id";
    /** Committed offsets of consumer groups, a view of {@code __consumer_offsets}: see {@link #groupOffsets()}. */
    static final String GROUP_OFFSETS_CACHE = "sluice-group-offsets";
    /** Every cache of the store, for the conflict-resolution nudge. */
    private static final List<String> CLUSTERED_CACHES = Stream.concat(
            Arrays.stream(MetadataSection.values()).map(s -> s.cacheName),
            Stream.of(GROUP_OFFSETS_CACHE)).toList();

    private final ClusterConfig config;
    private final DefaultCacheManager manager;
    private final JChannel channel;
    private final MetadataCaches caches = new MetadataCaches();
    private final MetadataMirror mirror;
    private final MetadataEvents events;
    private volatile boolean lastAvailable = true;
    /** Null for a single broker. */
    private volatile ConflictResolutionNudge nudge;
    /** This broker's snapshot from before it joined, until it has been offered to an available cluster. */
    private volatile Map<MetadataSection, Map<String, String>> pendingOffer;
    private volatile BrokerInfo registration;
    /** Whether this broker's drain mark from before its start has been cleared: a restarted broker starts undrained. */
    private volatile boolean drainClearedAtStart;
    private ReplicatedMap groupOffsets;
    private volatile boolean closed;

    private InfinispanMetadataStore(ClusterConfig config, UnaryOperator<List<Protocol>> stackEditor) throws Exception {
        this.config = config;
        // read before the mirror's first write replaces the file with the cluster's current content
        this.pendingOffer = new MetadataSnapshot(config.dataDir()).read();
        this.mirror = new MetadataMirror(new MetadataSnapshot(config.dataDir()),
                "sluice-metadata-snapshot-" + config.brokerId());
        this.events = new MetadataEvents("sluice-metadata-events-" + config.brokerId());
        GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
        if (config.isSingleBroker()) {
            global.nonClusteredDefault();
            this.channel = null;
        } else {
            this.channel = new JChannel(stackEditor.apply(JGroupsStack.protocols(config)));
            channel.setName(config.nodeName());
            global.transport().defaultTransport().clusterName(config.clusterName()).nodeName(config.nodeName())
                    .addProperty(JGroupsTransport.CHANNEL_CONFIGURATOR, new JGroupsStack.Configurator(channel));
            if (config.rack() != null) {
                global.transport().rackId(config.rack());
            }
        }
        global.cacheManagerName("sluice-" + config.brokerId());
        global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
        global.jmx().enabled(false);
        this.manager = new DefaultCacheManager(global.build(), false);
        try {
            start();
        } catch (RuntimeException e) {
            closed = true;
            try {
                manager.stop();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            closeNudge();
            events.close();
            mirror.close();
            throw e;
        }
    }

    private void start() {
        CacheEvents.Sink sink = new Sink();
        manager.addListener(new CacheEvents.OfManager(sink));
        manager.start();
        if (!config.isSingleBroker()) {
            nudge = ConflictResolutionNudge.start(manager, CLUSTERED_CACHES,
                    "sluice-metadata-nudge-" + config.brokerId());
        }
        for (MetadataSection section : MetadataSection.values()) {
            manager.defineConfiguration(section.cacheName, cacheConfig(section).build());
        }
        for (MetadataSection section : MetadataSection.values()) {
            Cache<String, String> cache = manager.getCache(section.cacheName);
            cache.addListener(new CacheEvents.OfCache(section, sink));
            caches.put(section, cache);
        }
        manager.defineConfiguration(GROUP_OFFSETS_CACHE, viewCacheConfig().build());
        groupOffsets = new ReplicatedMap(manager.getCache(GROUP_OFFSETS_CACHE));
        for (MetadataSection section : MetadataSection.values()) {
            resync(section);
        }
        lastAvailable = caches.available();
        offerPending();
    }

    /**
     * Starts this broker's metadata store: joins the cluster (or starts alone), then offers its persisted
     * snapshot so the newest metadata survives a whole-cluster restart. Returns once the caches run.
     */
    public static InfinispanMetadataStore open(ClusterConfig config) {
        return open(config, UnaryOperator.identity());
    }

    /** As {@link #open(ClusterConfig)}, with the protocol list edited before the channel is built (tests). */
    static InfinispanMetadataStore open(ClusterConfig config, UnaryOperator<List<Protocol>> stackEditor) {
        Objects.requireNonNull(config, "config");
        try {
            return new InfinispanMetadataStore(config, stackEditor);
        } catch (MetadataUnavailableException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new MetadataUnavailableException("cannot start the metadata store of broker " + config.brokerId()
                    + " on " + config.bindAddress() + ":" + config.bindPort(), e);
        }
    }

    private ConfigurationBuilder cacheConfig(MetadataSection section) {
        ConfigurationBuilder c = new ConfigurationBuilder();
        if (config.isSingleBroker()) {
            c.clustering().cacheMode(CacheMode.LOCAL);
            return c;
        }
        EntryMergePolicy<?, ?> policy = switch (section) {
            case PARTITIONS -> new PartitionMergePolicy();
            // never removed by a merge: a lost tombstone would let a deleted topic come back, and a
            // registration made on the smaller side (a broker that started cut off) is not written again
            case TOMBSTONES, BROKERS -> MergePolicy.PREFERRED_NON_NULL;
            // the larger side's copy: a hosted topic is offered again
            case TOPICS, DRAINING -> MergePolicy.PREFERRED_ALWAYS;
        };
        c.clustering().cacheMode(CacheMode.REPL_SYNC).remoteTimeout(10, TimeUnit.SECONDS)
                .partitionHandling().whenSplit(PartitionHandling.DENY_READ_WRITES).mergePolicy(policy)
                .stateTransfer().awaitInitialTransfer(true).timeout(60, TimeUnit.SECONDS);
        return c;
    }

    /**
     * A cache that is a view of a log, not metadata: the minority side of a split still reads its
     * last copy (ALLOW_READS), and a heal keeps the larger side's entries (its writers could write),
     * or another side's where the larger side has none: a merge never drops a committed offset.
     */
    private ConfigurationBuilder viewCacheConfig() {
        ConfigurationBuilder c = new ConfigurationBuilder();
        if (config.isSingleBroker()) {
            c.clustering().cacheMode(CacheMode.LOCAL);
            return c;
        }
        c.clustering().cacheMode(CacheMode.REPL_SYNC).remoteTimeout(10, TimeUnit.SECONDS)
                .partitionHandling().whenSplit(PartitionHandling.ALLOW_READS).mergePolicy(MergePolicy.PREFERRED_NON_NULL)
                .stateTransfer().awaitInitialTransfer(true).timeout(60, TimeUnit.SECONDS);
        return c;
    }

    /**
     * The committed offsets of consumer groups as every broker reads them: a replicated cache (local
     * for a broker alone) that is not part of the metadata snapshot. The group coordinators write it
     * after their records are committed in {@code __consumer_offsets}, and rebuild it from there when
     * they take a partition over, so it needs no persistence of its own.
     */
    public ReplicatedMap groupOffsets() {
        return groupOffsets;
    }

    /** Offers the snapshot from before joining, once: at start, or after the merge that made this side available. */
    private void offerPending() {
        Map<MetadataSection, Map<String, String>> snapshot = pendingOffer;
        if (snapshot == null || closed) {
            return;
        }
        try {
            new RestartReconciler(caches).offer(snapshot);
            caches.putIfAbsent(MetadataSection.BROKERS, CLUSTER_ID_KEY, UUID.randomUUID().toString());
            pendingOffer = null;
            mirror.startPersisting();
        } catch (MetadataUnavailableException e) {
            LOG.log(System.Logger.Level.INFO, "broker {0}: persisted metadata not offered yet, this side of the "
                    + "cluster is not available; offered again when it is", config.brokerId());
        }
    }

    private void resync(MetadataSection section) {
        if (closed || !caches.available()) {
            return;
        }
        try {
            for (MetadataMirror.Change c : mirror.resync(section, () -> caches.all(section))) {
                announce(section, c.key(), c.value(), c.oldValue());
            }
        } catch (MetadataUnavailableException e) {
            // split again meanwhile: the next availability change resyncs
        }
    }

    /** Tells the listeners, on the event thread, of a changed entry; {@code value} null means removed. */
    private void announce(MetadataSection section, String key, String value, String oldValue) {
        switch (section) {
            case TOPICS -> events.tell(l -> l.topicChanged(key));
            case PARTITIONS -> {
                String any = value != null ? value : oldValue;
                if (any != null) {
                    TopicPartition tp = MetadataCodec.decodePartition(any).key();
                    events.tell(l -> l.partitionChanged(tp));
                }
            }
            case BROKERS -> events.tell(l -> l.membershipChanged(liveBrokers()));
            case DRAINING -> events.tell(MetadataListener::drainingChanged);
            case TOMBSTONES -> {
            }
        }
    }

    /**
     * Records how to reach this broker; every broker does so when it starts. On a side of a split that
     * may not write, the record is written when this side becomes available again.
     */
    public void register(BrokerInfo self) {
        if (self.id() != config.brokerId()) {
            throw new IllegalArgumentException("register: id=" + self.id() + " is not this broker's id="
                    + config.brokerId());
        }
        registration = self;
        writeRegistration();
    }

    private void writeRegistration() {
        BrokerInfo self = registration;
        if (self == null || closed) {
            return;
        }
        String value = MetadataCodec.encode(self);
        try {
            if (!value.equals(caches.get(MetadataSection.BROKERS, Integer.toString(self.id())))) {
                caches.put(MetadataSection.BROKERS, Integer.toString(self.id()), value);
            }
            if (!drainClearedAtStart) {
                // Once per start only: a later registration (after a merge) must not undo a drain asked since.
                setDraining(self.id(), false);
                drainClearedAtStart = true;
            }
        } catch (MetadataUnavailableException e) {
            LOG.log(System.Logger.Level.INFO, "broker {0}: registration deferred until this side of the cluster "
                    + "is available", config.brokerId());
        }
    }

    @Override
    public String clusterId() {
        String id = mirror.get(MetadataSection.BROKERS, CLUSTER_ID_KEY);
        return id != null ? id : config.clusterName();
    }

    @Override
    public int localBrokerId() {
        return config.brokerId();
    }

    @Override
    public Map<Integer, BrokerInfo> brokers() {
        Map<Integer, BrokerInfo> result = new TreeMap<>();
        mirror.entries(MetadataSection.BROKERS).forEach((k, v) -> {
            if (!k.equals(CLUSTER_ID_KEY)) {
                BrokerInfo b = MetadataCodec.decodeBroker(v);
                result.put(b.id(), b);
            }
        });
        return result;
    }

    @Override
    public Set<Integer> liveBrokers() {
        if (channel == null) {
            return closed ? Set.of() : Set.of(config.brokerId());
        }
        return ClusterView.liveBrokers(channel);
    }

    @Override
    public int controllerId() {
        if (channel == null) {
            return config.brokerId();
        }
        return ClusterView.coordinator(channel);
    }

    @Override
    public boolean isAvailable() {
        return !closed && caches.available();
    }

    @Override
    public Set<Integer> drainingBrokers() {
        Set<Integer> result = new TreeSet<>();
        mirror.entries(MetadataSection.DRAINING).values()
                .forEach(v -> result.add(MetadataCodec.decodeDrain(v).brokerId()));
        return Set.copyOf(result);
    }

    @Override
    public void setDraining(int brokerId, boolean draining) {
        checkOpen();
        String key = Integer.toString(brokerId);
        if (draining) {
            caches.putIfAbsent(MetadataSection.DRAINING, key,
                    MetadataCodec.encode(new MetadataCodec.Drain(brokerId, System.currentTimeMillis())));
            return;
        }
        String current = caches.get(MetadataSection.DRAINING, key);
        if (current != null) {
            caches.remove(MetadataSection.DRAINING, key, current);
        }
    }

    @Override
    public Map<String, ClusterTopic> topics() {
        Map<String, ClusterTopic> result = new TreeMap<>();
        mirror.entries(MetadataSection.TOPICS).forEach((k, v) -> result.put(k, MetadataCodec.decodeTopic(v)));
        return result;
    }

    @Override
    public boolean createTopic(ClusterTopic topic) {
        checkOpen();
        String tombstone = caches.get(MetadataSection.TOMBSTONES, topic.id());
        if (tombstone != null) {
            throw new IllegalArgumentException("topic id " + topic.id() + " was deleted; a new topic needs a new id");
        }
        return caches.putIfAbsent(MetadataSection.TOPICS, topic.name(), MetadataCodec.encode(topic));
    }

    @Override
    public boolean isTopicDeleted(String topicId) {
        return caches.get(MetadataSection.TOMBSTONES, topicId) != null;
    }

    @Override
    public boolean replaceTopic(ClusterTopic expected, ClusterTopic updated) {
        checkOpen();
        if (!expected.name().equals(updated.name()) || !expected.id().equals(updated.id())) {
            throw new IllegalArgumentException("replaceTopic: " + updated.name() + "/" + updated.id()
                    + " is not the same topic as " + expected.name() + "/" + expected.id());
        }
        return caches.replace(MetadataSection.TOPICS, expected.name(), MetadataCodec.encode(expected),
                MetadataCodec.encode(updated));
    }

    @Override
    public boolean removeTopic(ClusterTopic expected) {
        checkOpen();
        String value = MetadataCodec.encode(expected);
        if (!value.equals(caches.get(MetadataSection.TOPICS, expected.name()))) {
            return false;
        }
        // the tombstone first: a crash between the two leaves a tombstoned topic, which the next
        // reconciliation removes, never a deleted topic without its tombstone
        String tombstone = MetadataCodec.encode(
                new MetadataCodec.Tombstone(expected.id(), expected.name(), System.currentTimeMillis()));
        boolean ours = caches.putIfAbsent(MetadataSection.TOMBSTONES, expected.id(), tombstone);
        if (caches.remove(MetadataSection.TOPICS, expected.name(), value)) {
            return true;
        }
        // another change of the topic came between: it lives on, so it must not stay tombstoned
        String now = caches.get(MetadataSection.TOPICS, expected.name());
        if (ours && now != null && MetadataCodec.decodeTopic(now).id().equals(expected.id())) {
            caches.remove(MetadataSection.TOMBSTONES, expected.id(), tombstone);
        }
        return false;
    }

    @Override
    public Optional<PartitionState> partition(TopicPartition partition) {
        String v = mirror.get(MetadataSection.PARTITIONS, MetadataCodec.key(partition));
        return v == null ? Optional.empty() : Optional.of(MetadataCodec.decodePartition(v));
    }

    @Override
    public Collection<PartitionState> partitions() {
        List<PartitionState> result = new ArrayList<>();
        mirror.entries(MetadataSection.PARTITIONS).values().forEach(v -> result.add(MetadataCodec.decodePartition(v)));
        return result;
    }

    @Override
    public boolean createPartition(PartitionState state) {
        checkOpen();
        return caches.putIfAbsent(MetadataSection.PARTITIONS, MetadataCodec.key(state.key()),
                MetadataCodec.encode(state));
    }

    @Override
    public boolean compareAndSet(PartitionState expected, PartitionState updated) {
        checkOpen();
        if (!expected.key().equals(updated.key()) || !expected.topicId().equals(updated.topicId())
                || updated.partitionEpoch() != expected.partitionEpoch() + 1
                || updated.leaderEpoch() < expected.leaderEpoch()) {
            return false;
        }
        return caches.replace(MetadataSection.PARTITIONS, MetadataCodec.key(expected.key()),
                MetadataCodec.encode(expected), MetadataCodec.encode(updated));
    }

    @Override
    public boolean removePartition(PartitionState expected) {
        checkOpen();
        return caches.remove(MetadataSection.PARTITIONS, MetadataCodec.key(expected.key()),
                MetadataCodec.encode(expected));
    }

    @Override
    public void addListener(MetadataListener listener) {
        events.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Whether a metadata cache is in a merge's conflict resolution here, for tests that time faults by it. */
    boolean resolvingConflicts() {
        return caches.resolvingConflicts();
    }

    /** The JGroups channel, for tests that cut or crash it; null for a single broker. */
    JChannel channel() {
        return channel;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeNudge();
        try {
            manager.stop();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "broker " + config.brokerId() + ": cache manager did not stop "
                    + "cleanly", e);
        }
        events.close();
        mirror.close();
    }

    private void closeNudge() {
        ConflictResolutionNudge n = nudge;
        if (n != null) {
            n.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new MetadataUnavailableException("the metadata store of broker " + config.brokerId()
                    + " is closed", null);
        }
    }

    /** Runs on Infinispan's threads: updates the mirror in line, hands everything else to the event thread. */
    private final class Sink implements CacheEvents.Sink {
        @Override
        public void entryChanged(MetadataSection section, String key, String value, String oldValue) {
            mirror.apply(section, key, value);
            announce(section, key, value, oldValue);
        }

        @Override
        public void topologyChanged(MetadataSection section) {
            events.run(() -> resync(section));
        }

        @Override
        public void availabilityChanged() {
            events.run(this::checkAvailability);
        }

        @Override
        public void viewChanged(boolean merged) {
            membershipChanged();
            ConflictResolutionNudge n = nudge;
            if (n != null) {
                n.nudgeSoon();
            }
            if (merged) {
                events.run(this::resyncAll);
            }
        }

        private void checkAvailability() {
            boolean now = isAvailable();
            if (now != lastAvailable) {
                lastAvailable = now;
                if (now) {
                    resyncAll();
                }
                events.tell(l -> l.availabilityChanged(now));
            }
        }

        private void resyncAll() {
            for (MetadataSection s : MetadataSection.values()) {
                resync(s);
            }
            offerPending();
            writeRegistration();
        }

        private void membershipChanged() {
            events.tell(l -> l.membershipChanged(liveBrokers()));
        }
    }

}
