package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One broker's group coordinator over real partition logs, a manual clock and a real scheduler.
 * Member ids are numbered ({@code m-00001}, ...) so a seeded run assigns the same way every time.
 */
final class GroupHarness implements AutoCloseable {
    final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    final Catalog catalog = new Catalog();
    /** Replaced by an empty one on a whole-cluster restart. */
    MapOffsetsCache cache = new MapOffsetsCache();
    final LogOffsetsTopic topic;
    final GroupSettings settings;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger ids = new AtomicInteger();
    GroupCoordinator coordinator;
    /** The coordinator's bound on a write; set before {@link #newCoordinator}. */
    long writeTimeoutMs = GroupCoordinator.WRITE_TIMEOUT_MS;

    GroupHarness(Path dir) {
        this(dir, GroupSettings.defaults().withSessionTimeouts(10_000, 1_000, 60_000));
    }

    GroupHarness(Path dir, GroupSettings settings) {
        this.settings = settings;
        this.topic = new LogOffsetsTopic(dir, clock::get);
        this.coordinator = newCoordinator();
    }

    GroupCoordinator newCoordinator() {
        return new GroupCoordinator(1, topic, catalog, cache, settings, scheduler, clock::get,
                () -> String.format("m-%05d", ids.incrementAndGet()), writeTimeoutMs);
    }

    /** Takes over the partition of each group and waits for it to load. */
    GroupHarness coordinate(String... groups) {
        for (String g : groups) {
            coordinator.takeOver(GroupCoordinator.partitionFor(g)).join();
        }
        return this;
    }

    /**
     * A whole-cluster restart: the coordinator goes, the logs are closed and opened again, the cache
     * starts empty, and a new coordinator takes the groups' partitions over.
     */
    void restart(String... groups) {
        coordinator.close();
        cache = new MapOffsetsCache();
        topic.reopen();
        coordinator = newCoordinator();
        coordinate(groups);
    }

    void advance(long ms) {
        clock.addAndGet(ms);
    }

    Map<TopicPartition, CommittedOffset> committed(String group) {
        return cache.get(group);
    }

    @Override
    public void close() {
        coordinator.close();
        scheduler.shutdownNow();
        topic.close();
    }
}
