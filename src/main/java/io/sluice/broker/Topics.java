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
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

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

    /** @param tier the object-store tier, or null to keep everything local */
    Topics(Path dataDir, LogRuntime runtime, LogConfig defaults, Partitioners partitioners, Tier tier)
            throws IOException {
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
                reachable).load(sync);
        loaded.topics().forEach(t -> topics.put(t.name(), t));
        if (sync != null) {
            loaded.topics().forEach(t -> sync.save(t.metadata()));
        }
        this.damaged = loaded.damaged();
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
                opener.resume(p);
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

    Collection<Topic> all() {
        return topics.values();
    }

    synchronized Topic create(String name, int partitions, int replicationFactor, Map<String, String> config) {
        TopicMetadata.validateName(name);
        TopicMetadata.validatePartitionCount(partitions);
        if (replicationFactor != 1) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "replicationFactor must be 1 on a single broker, was "
                    + replicationFactor);
        }
        TopicConfig topicConfig = TopicConfig.of(config, partitioners);
        if (topicConfig.minInsyncReplicas() > replicationFactor) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "min.insync.replicas="
                    + topicConfig.minInsyncReplicas() + " exceeds replicationFactor=" + replicationFactor);
        }
        if (topics.containsKey(name)) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name + "' already exists");
        }
        TopicMetadata.refuseCollision(name, topics.keySet());
        // A new id: the objects of a deleted topic of the same name, keyed by its old id, are never adopted.
        TopicMetadata meta = new TopicMetadata(name, UUID.randomUUID().toString(), partitions, replicationFactor,
                topicConfig, runtime.clock().getAsLong());
        store.save(meta);
        List<Partition> opened;
        try {
            opened = opener.open(meta, List.of(), true, false);
        } catch (SluiceException e) {
            store.delete(name); // all or nothing: no definition the API does not list
            throw e;
        }
        Topic topic = new Topic(meta, opened);
        topics.put(name, topic);
        if (sync != null) {
            sync.save(meta);
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

    synchronized Topic updateConfig(String name, Map<String, String> changes) {
        Topic topic = get(name);
        TopicMetadata meta = topic.metadata();
        TopicConfig merged = meta.config().with(changes, partitioners);
        if (merged.minInsyncReplicas() > meta.replicationFactor()) {
            throw new SluiceException(ErrorCode.INVALID_CONFIG, "min.insync.replicas=" + merged.minInsyncReplicas()
                    + " exceeds replicationFactor=" + meta.replicationFactor());
        }
        TopicMetadata updated = meta.withConfig(merged);
        store.save(updated);
        LogConfig logConfig = merged.toLogConfig(defaults);
        topic.logs().forEach(l -> l.updateConfig(logConfig));
        topic.update(updated, topic.partitions());
        topic.partitions().forEach(opener::queueUploads);
        if (sync != null) {
            sync.save(updated);
        }
        return topic;
    }

    synchronized Topic addPartitions(String name, int newCount) {
        Topic topic = get(name);
        TopicMetadata meta = topic.metadata();
        if (newCount <= meta.partitions()) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic " + name + " has " + meta.partitions()
                    + " partitions; the count can only grow, asked for " + newCount);
        }
        TopicMetadata.validatePartitionCount(newCount);
        TopicMetadata updated = meta.withPartitions(newCount);
        store.save(updated);
        try {
            topic.update(updated, opener.open(updated, topic.partitions(), true, false));
        } catch (SluiceException e) {
            store.save(meta); // all or nothing: the definition says what is served
            throw e;
        }
        if (sync != null) {
            sync.save(updated);
        }
        return topic;
    }

    @Override
    public void close() {
        for (Topic t : topics.values()) {
            t.logs().forEach(PartitionLog::close);
        }
    }
}
