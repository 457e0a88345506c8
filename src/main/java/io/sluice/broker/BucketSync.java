package io.sluice.broker;

import io.sluice.error.SluiceException;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Keeps the bucket in step with this broker's topics, in the background and never under the
 * topics' lock: definitions not yet confirmed in the bucket are written again, deleted topics are
 * removed from it (their tombstone dropped only once their prefix lists empty after
 * {@link Tier#LATE_WRITE_GRACE_MS}, when no late upload can land any more), and remote views the
 * store did not answer for at start are loaded. Each pass starts what is not already under way
 * and returns at once; a failure is retried at the next pass.
 */
final class BucketSync {
    private static final System.Logger LOG = System.getLogger(BucketSync.class.getName());
    /** Remote views loaded at once: a broker of thousands of partitions must not flood a store that just came back. */
    private static final int CONCURRENT_VIEW_LOADS = 16;

    /** A deleted topic whose objects may still be in the bucket, and when this broker started removing them. */
    private record Deletion(Tombstones.Tombstone tombstone, List<RemoteLog> partitions, long startedAtMs) {
    }

    private final Tier tier;
    private final Tombstones tombstones;
    private final Map<String, TopicMetadata> unsynced = new ConcurrentHashMap<>();
    private final Map<String, Deletion> deletions = new ConcurrentHashMap<>();
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final Set<RemoteLog> loading = ConcurrentHashMap.newKeySet();

    BucketSync(Tier tier, Tombstones tombstones) {
        this.tier = tier;
        this.tombstones = tombstones;
    }

    /** Writes a definition to the bucket, and again at every pass until the store confirms it. */
    void save(TopicMetadata meta) {
        unsynced.put(meta.id(), meta);
        push(meta);
    }

    private void push(TopicMetadata meta) {
        if (!busy.add("save:" + meta.id())) {
            return;
        }
        tier.saveTopic(meta.id(), TopicDefinitionFormat.encode(meta)).whenComplete((v, e) -> {
            busy.remove("save:" + meta.id());
            if (e == null) {
                unsynced.remove(meta.id(), meta);
            }
        });
    }

    /** Starts removing a deleted topic from the bucket; its local tombstone is already durable. */
    void delete(Tombstones.Tombstone tombstone, List<RemoteLog> partitions) {
        unsynced.remove(tombstone.id());
        deletions.put(tombstone.id(), new Deletion(tombstone, partitions, tier.now()));
        clean(tombstone.id());
    }

    /** Whether {@code topicId} is being removed from the bucket. */
    boolean isDeleting(String topicId) {
        return deletions.containsKey(topicId);
    }

    int pendingDeletions() {
        return deletions.size();
    }

    private void clean(String id) {
        Deletion d = deletions.get(id);
        if (d == null || !busy.add("delete:" + id)) {
            return;
        }
        tier.deleteTopic(id, d.tombstone().toBytes(), d.partitions()).thenCompose(empty -> {
            boolean done = empty && tier.now() - d.startedAtMs() >= Tier.LATE_WRITE_GRACE_MS;
            return done ? tier.dropTombstone(id).thenApply(v -> true) : CompletableFuture.completedFuture(false);
        }).whenComplete((done, e) -> {
            busy.remove("delete:" + id);
            if (e != null) {
                LOG.log(System.Logger.Level.WARNING, "deleting topic {0} ({1}) from the bucket, retried: {2}",
                        d.tombstone().name(), id, String.valueOf(SluiceException.causeOf(e)));
            } else if (Boolean.TRUE.equals(done)) {
                try {
                    tombstones.remove(id);
                    deletions.remove(id);
                    LOG.log(System.Logger.Level.INFO, "topic {0} ({1}) is gone from the bucket", d.tombstone().name(),
                            id);
                } catch (RuntimeException failed) {
                    LOG.log(System.Logger.Level.WARNING, "dropping the tombstone of " + id + ", retried: " + failed);
                }
            }
        });
    }

    /**
     * One pass: definitions and deletions the bucket missed, and remote views not loaded yet;
     * {@code loaded} is told of each view that loads (on a store thread).
     */
    void run(Iterable<Partition> partitions, Consumer<Partition> loaded) {
        unsynced.values().forEach(this::push);
        deletions.keySet().forEach(this::clean);
        load(partitions, loaded);
    }

    /**
     * Starts loading the remote views of {@code partitions} not loaded yet (at most
     * {@link #CONCURRENT_VIEW_LOADS} at once; the rest at a later pass). A replica just placed on
     * this broker is loaded at once, not at the next pass: until then a leader on an empty disk
     * refuses records.
     */
    void load(Iterable<Partition> partitions, Consumer<Partition> loaded) {
        for (Partition p : partitions) {
            RemoteLog remote = p.remote();
            if (remote == null || remote.isLoaded() || remote.isDeleted() || loading.size() >= CONCURRENT_VIEW_LOADS
                    || !loading.add(remote)) {
                continue;
            }
            tier.loadRemoteLog(remote).whenComplete((v, e) -> {
                loading.remove(remote);
                if (e == null) {
                    LOG.log(System.Logger.Level.INFO, "{0}: remote view loaded, {1} segments", remote.name(),
                            remote.segments().size());
                    loaded.accept(p);
                }
            });
        }
    }
}
