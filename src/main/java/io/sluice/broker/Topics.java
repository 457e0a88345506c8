package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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

    private final Path logsDir;
    private final TopicStore store;
    private final LogRuntime runtime;
    private final LogConfig defaults;
    private final Partitioners partitioners;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();

    Topics(Path dataDir, LogRuntime runtime, LogConfig defaults, Partitioners partitioners) throws IOException {
        this.logsDir = dataDir.resolve("logs");
        this.store = new TopicStore(dataDir);
        this.runtime = runtime;
        this.defaults = defaults;
        this.partitioners = partitioners;
        Files.createDirectories(logsDir);
        load();
    }

    private void load() throws IOException {
        for (TopicMetadata meta : store.loadAll(partitioners)) {
            topics.put(meta.name(), new Topic(meta, openLogs(meta, 0, new ArrayList<>())));
        }
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

    private List<PartitionLog> openLogs(TopicMetadata meta, int from, List<PartitionLog> logs) throws IOException {
        LogConfig config = meta.config().toLogConfig(defaults);
        for (int p = from; p < meta.partitions(); p++) {
            String name = meta.name() + "-" + p;
            logs.add(PartitionLog.open(name, logsDir.resolve(name), config, runtime));
        }
        return logs;
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
        TopicMetadata meta = new TopicMetadata(name, UUID.randomUUID().toString(), partitions, replicationFactor,
                topicConfig, runtime.clock().getAsLong());
        store.save(meta);
        try {
            Topic topic = new Topic(meta, openLogs(meta, 0, new ArrayList<>()));
            topics.put(name, topic);
            return topic;
        } catch (IOException e) {
            throw new UncheckedIOException("creating logs of topic " + name, e);
        }
    }

    synchronized void delete(String name) {
        Topic topic = get(name);
        store.delete(name);
        topics.remove(name);
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
        topic.update(updated, topic.logs());
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
            topic.update(updated, openLogs(updated, meta.partitions(), new ArrayList<>(topic.logs())));
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
