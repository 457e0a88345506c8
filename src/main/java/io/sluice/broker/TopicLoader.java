package io.sluice.broker;

import io.sluice.error.SluiceException;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Start-up: which topics this broker serves. Nothing is deleted on a guess. Every local
 * definition is validated; a damaged one, or one that claims fewer partitions than its log
 * directories show, is quarantined and reported, and the bucket's copy of it (keyed by topic id)
 * brings the topic back when it is good. Tombstoned ids are never restored and their deletion is
 * finished. Log directories that no topic claims are moved to {@code lost+found}, not deleted.
 */
final class TopicLoader {
    private static final System.Logger LOG = System.getLogger(TopicLoader.class.getName());
    static final String LOST_AND_FOUND = "lost+found";
    /** Prefix of a deleted partition's directory while it is being removed. */
    static final String DELETED_PREFIX = ".deleted-";

    /** The outcome: the topics to serve, and the definitions set aside. */
    record Result(List<Topic> topics, List<DamagedDefinition> damaged) {
    }

    private final Path dataDir;
    private final Path logsDir;
    private final TopicStore store;
    private final Tombstones tombstones;
    private final PartitionOpener opener;
    private final Partitioners partitioners;
    private final Tier tier;
    private final boolean tierReachable;
    private final boolean openEveryPartition;
    private final List<DamagedDefinition> damaged = new ArrayList<>();

    TopicLoader(Path dataDir, TopicStore store, Tombstones tombstones, PartitionOpener opener,
            Partitioners partitioners, Tier tier, boolean tierReachable, boolean openEveryPartition) {
        this.dataDir = dataDir;
        this.logsDir = dataDir.resolve("logs");
        this.store = store;
        this.tombstones = tombstones;
        this.opener = opener;
        this.partitioners = partitioners;
        this.tier = tier;
        this.tierReachable = tierReachable;
        this.openEveryPartition = openEveryPartition;
    }

    /** @param sync where deletions to finish in the bucket go; null without a tier */
    Result load(BucketSync sync) throws IOException {
        TopicStore.Loaded local = store.loadAll(partitioners);
        damaged.addAll(local.damaged());
        Map<String, Tombstones.Tombstone> tombstoned = new HashMap<>();
        tombstones.loadAll().forEach(t -> tombstoned.put(t.id(), t));
        Map<String, byte[]> bucket = Map.of();
        if (tierReachable) {
            try {
                for (String id : tier.loadTombstones()) {
                    tombstoned.putIfAbsent(id, new Tombstones.Tombstone(id, "(in the bucket)", 0, 0));
                }
                bucket = tier.loadTopics();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "could not read topics from the bucket; nothing restored: "
                        + SluiceException.causeOf(e));
            }
        }
        Map<String, Integer> dirs = partitionDirs();
        Map<String, TopicMetadata> byName = new HashMap<>();
        for (TopicMetadata meta : local.topics()) {
            if (tombstoned.containsKey(meta.id())) {
                finishDeletion(meta); // deleted just before a crash: it stays deleted
            } else if (consistentWithDisk(meta, dirs)) {
                byName.put(meta.name(), meta);
            }
        }
        restoreFromBucket(bucket, tombstoned, byName, dirs);
        damaged.replaceAll(d -> new DamagedDefinition(d.name(), d.problem(), d.setAsideAt(),
                byName.containsKey(d.name())));
        if (sync != null) {
            for (Tombstones.Tombstone t : tombstoned.values()) {
                tombstones.save(t); // a bucket-only tombstone is kept locally too, until the clean-up ends
                sync.delete(t, List.of());
            }
        }

        List<Topic> topics = new ArrayList<>();
        boolean loadRemote = tierReachable;
        for (TopicMetadata meta : byName.values()) {
            try {
                Collection<Integer> ids = openEveryPartition
                        ? IntStream.range(0, meta.partitions()).boxed().toList() : opener.onDisk(meta);
                Topic topic = new Topic(meta, opener.open(meta, ids, false, loadRemote));
                topics.add(topic);
                loadRemote &= topic.partitions().stream().allMatch(Partition::tierAvailable);
            } catch (SluiceException e) {
                // Its definition is good and its directories stay claimed: serve the others.
                LOG.log(System.Logger.Level.ERROR, "topic {0} could not be opened and is not served: {1} ({2})",
                        meta.name(), e.getMessage(), String.valueOf(e.getCause()));
                damaged.add(new DamagedDefinition(meta.name(), "its logs could not be opened: " + e.getMessage(),
                        null, false));
            }
        }
        setAsideOrphans(byName.keySet());
        return new Result(topics, List.copyOf(damaged));
    }

    /** A definition claiming fewer partitions than the disk holds would orphan acknowledged data. */
    private boolean consistentWithDisk(TopicMetadata meta, Map<String, Integer> dirs) throws IOException {
        Integer highest = dirs.get(meta.name());
        if (highest == null || highest < meta.partitions()) {
            return true;
        }
        damaged.add(store.quarantine(meta.name(), "topic definition " + store.fileOf(meta.name()) + " says partitions="
                + meta.partitions() + " but the disk holds logs/" + PartitionOpener.dirName(meta.name(), highest)));
        return false;
    }

    /** Topics in the bucket that this disk does not have (a new or wiped disk, a quarantined definition). */
    private void restoreFromBucket(Map<String, byte[]> bucket, Map<String, Tombstones.Tombstone> tombstoned,
            Map<String, TopicMetadata> byName, Map<String, Integer> dirs) throws IOException {
        Set<String> localIds = new HashSet<>();
        byName.values().forEach(m -> localIds.add(m.id()));
        for (Map.Entry<String, byte[]> e : bucket.entrySet()) {
            String id = e.getKey();
            if (tombstoned.containsKey(id) || localIds.contains(id)) {
                continue;
            }
            TopicMetadata meta;
            try {
                meta = TopicDefinitionFormat.decode(e.getValue(), "bucket object for topic id " + id, partitioners);
            } catch (TopicDefinitionFormat.DamagedException damagedCopy) {
                LOG.log(System.Logger.Level.ERROR, damagedCopy.getMessage() + "; not restored");
                continue;
            }
            Integer highest = dirs.get(meta.name());
            if (!meta.id().equals(id) || byName.containsKey(meta.name()) || (highest != null
                    && highest >= meta.partitions())) {
                LOG.log(System.Logger.Level.ERROR, "the bucket''s definition of topic {0} ({1}) conflicts with this "
                        + "disk; not restored", meta.name(), id);
                continue;
            }
            store.save(meta);
            byName.put(meta.name(), meta);
            localIds.add(id);
            LOG.log(System.Logger.Level.INFO, "restored topic {0} ({1}) from the bucket: {2} partitions",
                    meta.name(), id, meta.partitions());
        }
    }

    private void finishDeletion(TopicMetadata meta) throws IOException {
        LOG.log(System.Logger.Level.INFO, "topic {0} ({1}) was being deleted; finishing", meta.name(), meta.id());
        for (int p = 0; p < meta.partitions(); p++) {
            Path dir = logsDir.resolve(PartitionOpener.dirName(meta.name(), p));
            if (Files.exists(dir)) {
                PartitionOpener.deleteRecursively(dir);
            }
        }
        store.delete(meta.name());
    }

    /** Highest partition number of the log directories of each topic name. */
    private Map<String, Integer> partitionDirs() throws IOException {
        Map<String, Integer> highest = new HashMap<>();
        for (Path d : logDirs()) {
            String dirName = d.getFileName().toString();
            int dash = dirName.lastIndexOf('-');
            if (dash <= 0 || !Files.isDirectory(d)) {
                continue;
            }
            try {
                int p = Integer.parseInt(dirName.substring(dash + 1));
                highest.merge(dirName.substring(0, dash), p, Math::max);
            } catch (NumberFormatException e) {
                // not a partition directory; set aside below
            }
        }
        return highest;
    }

    private List<Path> logDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(logsDir)) {
            return dirs.sorted().toList();
        }
    }

    /**
     * Directories of deleted partitions are removed (the deletion was durable before they were
     * renamed); any other directory no served topic claims is moved to {@code lost+found}. A
     * quarantined topic's directories stay where they are, for its repaired definition to find.
     */
    private void setAsideOrphans(Set<String> served) throws IOException {
        Set<String> quarantined = new HashSet<>();
        damaged.forEach(d -> quarantined.add(d.name()));
        Path lostAndFound = dataDir.resolve(LOST_AND_FOUND);
        for (Path d : logDirs()) {
            String dirName = d.getFileName().toString();
            if (dirName.startsWith(DELETED_PREFIX)) {
                PartitionOpener.deleteRecursively(d);
                continue;
            }
            int dash = dirName.lastIndexOf('-');
            String topic = dash <= 0 ? dirName : dirName.substring(0, dash);
            if (served.contains(topic) || quarantined.contains(topic)) {
                continue;
            }
            Files.createDirectories(lostAndFound);
            Path target = lostAndFound.resolve(dirName);
            for (int n = 1; Files.exists(target); n++) {
                target = lostAndFound.resolve(dirName + "." + n);
            }
            Files.move(d, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.log(System.Logger.Level.WARNING, "log directory {0} belongs to no topic; moved to {1}", d, target);
        }
    }
}
