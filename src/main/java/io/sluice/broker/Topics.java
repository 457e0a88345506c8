package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.ClosedSegment;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The topics of one broker: their durable metadata and their partition logs. Admin changes are
 * serialized (they are rare); lookups on the produce and fetch paths are lock-free.
 *
 * <p>Order of durable steps, so that a crash at any point is repaired on the next start: a topic is
 * saved before its logs are created, and forgotten before its logs are deleted. On start, log
 * directories that no saved topic claims are deleted.
 */
final class Topics implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Topics.class.getName());
    private static final long BUCKET_DELETE_WAIT_SECONDS = 10;

    private final Path logsDir;
    private final TopicStore store;
    private final LogRuntime runtime;
    private final LogConfig defaults;
    private final Partitioners partitioners;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final Tier tier;
    /** Whether the tier answered at start; if not, remote views start empty and fill as uploads succeed. */
    private final boolean tierReachable;
    /** Topic definitions not yet confirmed in the bucket, and topics whose remote objects are not yet deleted. */
    private final Set<String> unsyncedTopics = ConcurrentHashMap.newKeySet();
    private final Map<String, List<RemoteLog>> undeletedTopics = new ConcurrentHashMap<>();

    /** @param tier the object-store tier, or null to keep everything local */
    Topics(Path dataDir, LogRuntime runtime, LogConfig defaults, Partitioners partitioners, Tier tier)
            throws IOException {
        this.logsDir = dataDir.resolve("logs");
        this.store = new TopicStore(dataDir);
        this.runtime = runtime;
        this.defaults = defaults;
        this.partitioners = partitioners;
        this.tier = tier;
        this.tierReachable = tier != null && tier.ensureBucket();
        Files.createDirectories(logsDir);
        load();
    }

    private void load() throws IOException {
        List<TopicMetadata> local = store.loadAll(partitioners);
        for (TopicMetadata meta : local) {
            topics.put(meta.name(), new Topic(meta, openPartitions(meta, 0, new ArrayList<>())));
            unsyncedTopics.add(meta.name());
        }
        restoreFromBucket();
        try (Stream<Path> dirs = Files.list(logsDir)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!isClaimed(d.getFileName().toString())) {
                    LOG.log(System.Logger.Level.WARNING, "deleting orphan log directory {0}", d);
                    deleteRecursively(d);
                }
            }
        }
    }

    private boolean isClaimed(String dirName) {
        int dash = dirName.lastIndexOf('-');
        if (dash <= 0) {
            return false;
        }
        Topic t = topics.get(dirName.substring(0, dash));
        try {
            int p = Integer.parseInt(dirName.substring(dash + 1));
            return t != null && p >= 0 && p < t.partitionCount();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Topics in the bucket that this disk does not have (a new or wiped disk): brought back. */
    private void restoreFromBucket() throws IOException {
        if (!tierReachable) {
            return;
        }
        Map<String, byte[]> remote;
        try {
            remote = tier.loadTopics();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not list topics in the bucket; nothing restored: " + e);
            return;
        }
        for (Map.Entry<String, byte[]> e : remote.entrySet()) {
            if (topics.containsKey(e.getKey())) {
                continue;
            }
            TopicMetadata meta = TopicStore.decode(e.getValue(), "bucket topic " + e.getKey(), partitioners);
            store.save(meta);
            Topic topic = new Topic(meta, openPartitions(meta, 0, new ArrayList<>()));
            topics.put(meta.name(), topic);
            LOG.log(System.Logger.Level.INFO, "restored topic {0} from the bucket: {1} partitions, log end offsets {2}",
                    meta.name(), meta.partitions(), topic.logs().stream().map(PartitionLog::logEndOffset).toList());
        }
    }

    private List<Partition> openPartitions(TopicMetadata meta, int from, List<Partition> partitions)
            throws IOException {
        LogConfig config = meta.config().toLogConfig(defaults);
        for (int p = from; p < meta.partitions(); p++) {
            String name = meta.name() + "-" + p;
            if (tier == null) {
                PartitionLog log = PartitionLog.open(name, logsDir.resolve(name), config, runtime);
                partitions.add(new Partition(meta.name(), p, log, null, null));
                continue;
            }
            RemoteLog remote = loadRemote(meta.name(), p);
            long initialOffset = remote.isEmpty() ? 0 : remote.endOffset();
            PartitionLog log = PartitionLog.open(name, logsDir.resolve(name), config, runtime, tier.hook(remote),
                    initialOffset);
            Partition partition = new Partition(meta.name(), p, log, remote, tier.reader());
            queueUploads(partition);
            partitions.add(partition);
        }
        return partitions;
    }

    private RemoteLog loadRemote(String topic, int partition) {
        if (tierReachable) {
            try {
                return tier.loadRemoteLog(topic, partition);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, topic + "-" + partition + ": remote view not loaded: " + e);
            }
        }
        return new RemoteLog(topic, partition);
    }

    /** Queues every closed local segment the tier does not have yet (the uploader skips duplicates). */
    void queueUploads(Partition partition) {
        PartitionLog log = partition.log();
        if (tier != null && log.config().remoteStorage()) {
            for (ClosedSegment s : log.closedSegments()) {
                tier.uploader().enqueue(partition.remote(), s);
            }
        }
    }

    /** Retries what the bucket missed while it was unreachable: topic definitions and deletions. */
    void syncWithBucket() {
        if (tier == null) {
            return;
        }
        for (String name : unsyncedTopics) {
            Topic t = topics.get(name);
            if (t == null) {
                unsyncedTopics.remove(name);
            } else {
                saveToBucket(t.metadata());
            }
        }
        undeletedTopics.forEach((name, remotes) -> tier.deleteTopic(name, remotes).whenComplete((v, e) -> {
            if (e == null) {
                undeletedTopics.remove(name, remotes);
            }
        }));
    }

    private void saveToBucket(TopicMetadata meta) {
        if (tier == null) {
            return;
        }
        unsyncedTopics.add(meta.name());
        tier.saveTopic(meta.name(), TopicStore.encode(meta)).whenComplete((v, e) -> {
            if (e == null && topics.get(meta.name()) != null && topics.get(meta.name()).metadata() == meta) {
                unsyncedTopics.remove(meta.name());
            }
        });
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
        if (undeletedTopics.containsKey(name)) {
            // Its objects are still being deleted under the same key prefix: a new topic there would lose its own.
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic '" + name
                    + "' is still being deleted from the object store; create it again once that is done");
        }
        TopicMetadata meta = new TopicMetadata(name, UUID.randomUUID().toString(), partitions, replicationFactor,
                topicConfig, runtime.clock().getAsLong());
        store.save(meta);
        try {
            Topic topic = new Topic(meta, openPartitions(meta, 0, new ArrayList<>()));
            topics.put(name, topic);
            saveToBucket(meta);
            return topic;
        } catch (IOException e) {
            throw new UncheckedIOException("creating logs of topic " + name, e);
        }
    }

    synchronized void delete(String name) {
        Topic topic = get(name);
        store.delete(name);
        topics.remove(name);
        unsyncedTopics.remove(name);
        if (tier != null) {
            List<RemoteLog> remotes = topic.partitions().stream().map(Partition::remote).toList();
            undeletedTopics.put(name, remotes);
            try {
                // Wait a little, so that the usual delete-then-recreate finds the prefix clean.
                tier.deleteTopic(name, remotes).get(BUCKET_DELETE_WAIT_SECONDS, TimeUnit.SECONDS);
                undeletedTopics.remove(name, remotes);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "deleting topic " + name + " from the bucket (retried): " + e);
            }
        }
        for (PartitionLog log : topic.logs()) {
            try {
                log.delete();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "deleting " + log.name() + " (retried at next start)", e);
            }
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
        topic.partitions().forEach(this::queueUploads);
        saveToBucket(updated);
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
            topic.update(updated, openPartitions(updated, meta.partitions(), new ArrayList<>(topic.partitions())));
            saveToBucket(updated);
        } catch (IOException e) {
            throw new UncheckedIOException("creating new partitions of " + name, e);
        }
        return topic;
    }

    @Override
    public void close() {
        for (Topic t : topics.values()) {
            t.logs().forEach(PartitionLog::close);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
