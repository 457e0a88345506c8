package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The partitions of {@code __consumer_offsets} a coordinator holds and their groups: takeover by
 * replay, giving a partition up, and finding a group's state under its monitor. A request for a
 * group whose partition is not held fails NOT_COORDINATOR; one whose partition is still loading
 * fails COORDINATOR_NOT_AVAILABLE.
 */
final class GroupDirectory {
    private static final System.Logger LOG = System.getLogger(GroupDirectory.class.getName());

    private final OffsetsTopic offsetsTopic;
    private final TopicCatalog catalog;
    private final OffsetsCache cache;
    private final GroupSettings settings;
    private final LongSupplier clock;
    private final ConcurrentHashMap<Integer, CoordinatedPartition> partitions = new ConcurrentHashMap<>();
    /** Outlive a partition's takeovers: a takeover replays only after the previous one's appends settled. */
    private final ConcurrentHashMap<Integer, AppendQueue> appendQueues = new ConcurrentHashMap<>();

    GroupDirectory(OffsetsTopic offsetsTopic, TopicCatalog catalog, OffsetsCache cache, GroupSettings settings,
            LongSupplier clock) {
        this.offsetsTopic = offsetsTopic;
        this.catalog = catalog;
        this.cache = cache;
        this.settings = settings;
        this.clock = clock;
    }

    /** This broker now leads {@code partition} of {@code __consumer_offsets}: replay it and serve its groups. */
    CompletableFuture<Void> takeOver(int partition) {
        if (partition < 0 || partition >= OffsetsTopic.PARTITIONS) {
            throw new IllegalArgumentException("partition=" + partition + " of " + OffsetsTopic.NAME);
        }
        CoordinatedPartition fresh = new CoordinatedPartition(partition,
                appendQueues.computeIfAbsent(partition, p -> new AppendQueue(p, offsetsTopic)));
        CoordinatedPartition held = partitions.putIfAbsent(partition, fresh);
        if (held != null) {
            return held.loaded.thenApply(v -> v);
        }
        OffsetsLoader loader = new OffsetsLoader(partition);
        fresh.appends.idle()
                .thenCompose(v -> offsetsTopic.replay(partition, loader::accept))
                .thenRun(loader::checkClean)
                .thenRun(() -> install(fresh, loader.offsets()))
                .whenComplete((v, error) -> {
                    // A throw in install (the cache refusing) fails the takeover too: never a load left
                    // pending, which would answer COORDINATOR_NOT_AVAILABLE forever with no retry.
                    if (error != null) {
                        partitions.remove(partition, fresh);
                        LOG.log(System.Logger.Level.WARNING, "loading " + OffsetsTopic.NAME + "-" + partition
                                + " failed; its groups stay unavailable here", error);
                        fresh.loaded.completeExceptionally(SluiceException.causeOf(error));
                    }
                });
        return fresh.loaded.thenApply(v -> v);
    }

    /** This broker no longer leads {@code partition}: forget its groups (their members will rejoin elsewhere). */
    void giveUp(int partition) {
        CoordinatedPartition state = partitions.remove(partition);
        if (state == null) {
            return;
        }
        state.active = false;
        for (Group g : state.groups.values()) {
            synchronized (g) {
                g.removed = true;
            }
        }
        state.loaded.completeExceptionally(notCoordinator(partition));
    }

    /** Whether this broker coordinates the group now (fails requests with NOT_COORDINATOR otherwise). */
    boolean coordinates(String groupId) {
        CoordinatedPartition state = partitions.get(GroupCoordinator.partitionFor(groupId));
        return state != null && state.active;
    }

    /**
     * Runs {@code action} on the group under its monitor. {@code missing} null creates the group;
     * otherwise a group that does not exist fails with it. A group dropped while we waited for its
     * monitor is looked up again.
     */
    <T> T withGroup(String groupId, Supplier<SluiceException> missing,
            BiFunction<CoordinatedPartition, Group, T> action) {
        while (true) {
            CoordinatedPartition s = loadedPartition(groupId);
            Group g = missing == null
                    ? s.groups.computeIfAbsent(groupId, id -> new Group(id, catalog, settings, clock.getAsLong()))
                    : s.groups.get(groupId);
            if (g == null) {
                throw missing.get();
            }
            synchronized (g) {
                if (g.removed) {
                    continue;
                }
                try {
                    return action.apply(s, g);
                } finally {
                    retireIfIdle(s, g);
                }
            }
        }
    }

    void forEachGroup(BiConsumer<CoordinatedPartition, Group> action) {
        for (CoordinatedPartition s : partitions.values()) {
            if (!s.active || !s.isLoaded()) {
                continue;
            }
            for (Group g : s.groups.values()) {
                synchronized (g) {
                    if (!g.removed) {
                        action.accept(s, g);
                        retireIfIdle(s, g);
                    }
                }
            }
        }
    }

    /** Drops a group that keeps nothing (no members, offsets or work in flight); the caller holds its monitor. */
    static void retireIfIdle(CoordinatedPartition s, Group g) {
        if (!g.removed && g.idle()) {
            g.removed = true;
            s.groups.remove(g.id, g);
        }
    }

    private CoordinatedPartition loadedPartition(String groupId) {
        int partition = GroupCoordinator.partitionFor(groupId);
        CoordinatedPartition s = partitions.get(partition);
        if (s == null || !s.active) {
            throw notCoordinator(partition);
        }
        if (!s.isLoaded()) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "the groups of " + OffsetsTopic.NAME + "-"
                    + partition + " are still being loaded here; try again shortly");
        }
        return s;
    }

    private void install(CoordinatedPartition state, Map<String, Map<TopicPartition, CommittedOffset>> loaded) {
        for (Map.Entry<String, Map<TopicPartition, CommittedOffset>> e : loaded.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            long lastCommit = e.getValue().values().stream().mapToLong(CommittedOffset::commitTimeMs).max().orElse(0);
            Group g = new Group(e.getKey(), catalog, settings, lastCommit); // empty since its last commit
            g.offsets.putAll(e.getValue());
            state.groups.put(g.id, g);
        }
        if (!state.active) {
            return;
        }
        for (String groupId : cache.groups()) {
            if (GroupCoordinator.partitionFor(groupId) == state.partition) {
                Map<TopicPartition, CommittedOffset> kept = loaded.getOrDefault(groupId, Map.of());
                List<TopicPartition> stale = cache.get(groupId).keySet().stream()
                        .filter(tp -> !kept.containsKey(tp)).toList();
                if (!stale.isEmpty()) {
                    cache.remove(groupId, stale);
                }
            }
        }
        state.groups.values().forEach(g -> cache.put(g.id, Map.copyOf(g.offsets)));
        state.loaded.complete(null);
        LOG.log(System.Logger.Level.INFO, "coordinating the {0} groups with offsets in {1}-{2}", state.groups.size(),
                OffsetsTopic.NAME, state.partition);
    }

    static SluiceException notCoordinator(int partition) {
        return new SluiceException(ErrorCode.NOT_COORDINATOR, "this broker does not coordinate the groups of "
                + OffsetsTopic.NAME + "-" + partition + "; find the coordinator again");
    }
}
