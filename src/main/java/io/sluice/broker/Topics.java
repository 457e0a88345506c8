package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The topics of one broker and their admin operations. Admin changes are serialized (they are
 * rare) and touch only the local disk under the lock; the bucket is brought in step by
 * {@link BucketSync} in the background. Lookups on the produce and fetch paths are lock-free.
 *
 * <p>Order of durable steps, so that a crash at any point is repaired on the next start: a topic
 * is saved before its logs are created (and removed again if they cannot all be created); a
 * deleted topic's tombstone is fsynced before it is forgotten, and its directories renamed out of
 * the way before they are removed.
 */
final class Topics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Topics.class.getName());

    private final Path logsDir;
    private final TopicStore store;
    private final Tombstones tombstones;
    private final PartitionOpener opener;
    private final LogRuntime runtime;
    private final LogConfig defaults;
    private final Partitioners partitioners;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final Tier tier;
    private final BucketSync sync;
    private final List<DamagedDefinition> damaged;
    private volatile BiConsumer<Partition, PartitionLog> logReplaced = (p, log) -> { };

    /**
     * @param tier the object-store tier, or null to keep everything local
     * @param openEveryPartition at start, open every partition of every topic (a broker alone holds
     *                           them all); else only those with a log directory here, the cluster
     *                           saying later which others this broker holds
     */
    Topics(Path dataDir, LogRuntime runtime, LogConfig defaults, Partitioners partitioners, Tier tier,
            boolean openEveryPartition) throws IOException {
        this.logsDir = dataDir.resolve("logs");
        this.store = new TopicStore(dataDir);
        this.tombstones = new Tombstones(dataDir);
        this.runtime = runtime;
        this.defaults = defaults;
        this.partitioners = partitioners;
        this.tier = tier;
        Files.createDirectories(logsDir);
        this.opener = new PartitionOpener(logsDir, runtime, defaults, tier);
        this.sync = tier == null ? null : new BucketSync(tier, tombstones);
        boolean reachable = tier != null && tier.ensureBucket();
        TopicLoader.Result loaded = new TopicLoader(dataDir, store, tombstones, opener, partitioners, tier,
                reachable, openEveryPartition).load(sync);
        loaded.topics().forEach(t -> topics.put(t.name(), t));
        if (sync != null) {
            loaded.topics().forEach(t -> sync.save(t.metadata()));
        }
        this.damaged = new CopyOnWriteArrayList<>(loaded.damaged());
    }

    /** Called when a partition's log is reopened (at the bucket's end), before it is served: its replica takes the new one. */
    void onLogReplaced(BiConsumer<Partition, PartitionLog> listener) {
        this.logReplaced = listener;
    }

    /** Definitions set aside at start, for health. */
    List<DamagedDefinition> damaged() {
        return damaged;
    }

    void queueUploads(Partition partition) {
        opener.queueUploads(partition);
    }

    /** Retries what the bucket missed: definitions, deletions, remote views not loaded at start. */
    void syncWithBucket() {
        if (sync != null) {
            sync.run(() -> topics.values().stream().flatMap(t -> t.partitions().stream()).iterator(),
                    this::remoteViewLoaded);
        }
    }

    private synchronized void remoteViewLoaded(Partition p) {
        Topic t = topics.get(p.topic());
        if (t == null || !t.partitions().contains(p)) {
            return; // deleted meanwhile
        }
        if (p.awaitingRemoteEnd()) {
            try {
                opener.resume(p, log -> logReplaced.accept(p, log));
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, p.topic() + "-" + p.id() + ": reopening at the bucket's end: " + e);
                return;
            }
        }
        opener.queueUploads(p);
    }

    Topic get(String name) {
        Topic t = topics.get(name);
        if (t == null) {
            throw new SluiceException(ErrorCode.TOPIC_NOT_FOUND, "topic '" + name + "' does not exist");
        }
        return t;
    }

    /** The topic of that name, or null. */
    Topic find(String name) {
        return topics.get(name);
    }

    Collection<Topic> all() {
        return topics.values();
    }

    /**
     * Checks a new topic as {@code POST /topics} must: name, count, config, replication factor, and
     * no collision with {@code existing} names. Returns its parsed config.
     */
    TopicConfig validateNew(String name, int partitions, int replicationFactor, Map<String, String> config,
            Collection<String> existing) {
        TopicMetadata.validateName(name);
        TopicMetadata.validatePartitionCount(partitions);
        if (replicationFactor < 1 || replicationFactor > TopicMetadata.MAX_REPLICATION_FACTOR) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "replicationFactor must be in [1, "
                    + TopicMetadata.MAX_REPLICATION_FACTOR + "], was " + replicationFactor);
        }
        TopicConfig topicConfig = TopicConfig.of(config, partitioners);
        checkMinIsr(topicConfig, replicationFactor);
        if (existing.contains(name)) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
        }
        TopicMetadata.refuseCollision(name, existing);
        return topicConfig;
    }

    static void checkMinIsr(TopicConfig config, int replicationFactor) {
        if (config.minInsyncReplicas() > replicationFactor) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "min.insync.replicas=" + config.minInsyncReplicas()
                    + " exceeds replicationFactor=" + replicationFactor);
        }
    }

    Partitioners partitioners() {
        return partitioners;
    }

    /**
     * Brings the local copy of a topic in line with the cluster's: its definition saved here, a
     * log open for every partition in {@code hosted} and none for the others (a replica moved away
     * is closed and its directory removed). A local topic of the same name and another id is an
     * older topic deleted meanwhile: it is deleted here first.
     *
     * @param fresh the topic was just created: the bucket holds nothing of it yet
     *
     * <p>Remote views are not listed here (a hanging store would hold up every admin change): the
     * bucket sync lists them in the background, and until then a replica whose disk was empty does
     * not take appends.
     */
    synchronized Topic adopt(TopicMetadata meta, Set<Integer> hosted, boolean fresh) {
        Topic topic = topics.get(meta.name());
        if (topic != null && !topic.metadata().id().equals(meta.id())) {
            delete(meta.name());
            topic = null;
        }
        if (topic == null) {
            store.save(meta);
            List<Partition> opened;
            try {
                opened = opener.open(meta, hosted, fresh, false);
            } catch (SluiceException e) {
                store.delete(meta.name()); // all or nothing: no definition without its logs
                throw e;
            }
            topic = new Topic(meta, opened);
            topics.put(meta.name(), topic);
            if (sync != null) {
                sync.load(opened, this::remoteViewLoaded);
            }
            // A definition damaged here is restored from the cluster's copy, as from the bucket's.
            damaged.replaceAll(d -> d.name().equals(meta.name()) && !d.restored()
                    ? new DamagedDefinition(d.name(), d.problem(), d.setAsideAt(), true) : d);
            if (sync != null) {
                sync.save(meta);
            }
            return topic;
        }
        TopicMetadata old = topic.metadata();
        boolean configChanged = !old.config().equals(meta.config());
        Set<Integer> missing = new TreeSet<>(hosted);
        topic.partitions().forEach(p -> missing.remove(p.id()));
        // Partitions numbered past the old count are new: the bucket holds nothing of them.
        boolean grown = missing.stream().allMatch(p -> p >= old.partitions());
        // Saved before the new logs are created, so a crash between finds them claimed; put back if they fail.
        if (!old.equals(meta)) {
            store.save(meta);
        }
        List<Partition> added;
        try {
            added = opener.open(meta, missing, fresh || grown, false);
        } catch (SluiceException e) {
            store.save(old);
            throw e;
        }
        if (!old.equals(meta)) {
            if (configChanged) {
                LogConfig logConfig = meta.config().toLogConfig(defaults);
                topic.logs().forEach(l -> l.updateConfig(logConfig));
            }
            if (sync != null) {
                sync.save(meta);
            }
        }
        List<Partition> kept = new ArrayList<>();
        for (Partition p : topic.partitions()) {
            if (hosted.contains(p.id())) {
                kept.add(p);
            } else {
                if (p.remote() != null) {
                    tier.stopUploads(p.remote()); // moved away: its new replicas' leader uploads it
                }
                removeLocally(meta, p.log());
            }
        }
        kept.addAll(added);
        topic.update(meta, kept);
        if (sync != null) {
            sync.load(added, this::remoteViewLoaded);
        }
        if (configChanged) {
            kept.forEach(opener::queueUploads); // remote.storage.enable may have just been turned on
        }
        return topic;
    }


    /**
     * Deletes a topic: durable once its tombstone is fsynced, which is before anything else
     * changes; the bucket is cleaned in the background, so this returns without waiting for the
     * object store.
     */
    synchronized void delete(String name) {
        Topic topic = get(name);
        TopicMetadata meta = topic.metadata();
        Tombstones.Tombstone tombstone = new Tombstones.Tombstone(meta.id(), name, meta.partitions(),
                runtime.clock().getAsLong());
        tombstones.save(tombstone);
        store.delete(name);
        topics.remove(name);
        List<RemoteLog> remotes = topic.partitions().stream().map(Partition::remote).filter(Objects::nonNull)
                .toList();
        if (sync != null) {
            sync.delete(tombstone, remotes);
        } else {
            tombstones.remove(meta.id());
        }
        for (PartitionLog log : topic.logs()) {
            removeLocally(meta, log);
        }
    }

    /** Renames the directory out of the way first, so that a new topic of the same name never finds it. */
    private void removeLocally(TopicMetadata meta, PartitionLog log) {
        log.close();
        Path dir = logsDir.resolve(log.name());
        Path doomed = logsDir.resolve(TopicLoader.DELETED_PREFIX + meta.id() + "-" + log.name().substring(
                log.name().lastIndexOf('-') + 1));
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE);
            PartitionOpener.deleteRecursively(doomed);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "removing " + log.name() + " (finished at next start): " + e);
        }
    }

    @Override
    public void close() {
        for (Topic t : topics.values()) {
            t.logs().forEach(PartitionLog::close);
        }
    }
}
