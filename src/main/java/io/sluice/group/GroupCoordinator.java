package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * The group coordinator of one broker: it runs the groups whose {@code __consumer_offsets}
 * partition this broker leads. Taking a partition over replays it to rebuild its groups' committed
 * offsets; giving it up forgets them. Membership lives in memory only: after a takeover members
 * find they are unknown and join again, keeping nothing, so no partition is read twice at once.
 */
public final class GroupCoordinator implements AutoCloseable {
    private final OffsetsTopic offsetsTopic;
    private final TopicCatalog catalog;
    private final OffsetsCache cache;
    private final GroupSettings settings;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;
    private final int brokerId;

    public GroupCoordinator(int brokerId, OffsetsTopic offsetsTopic, TopicCatalog catalog, OffsetsCache cache,
            GroupSettings settings, ScheduledExecutorService scheduler, LongSupplier clock) {
        this.brokerId = brokerId;
        this.offsetsTopic = offsetsTopic;
        this.catalog = catalog;
        this.cache = cache;
        this.settings = settings;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** The {@code __consumer_offsets} partition of a group: Kafka's {@code abs(groupId.hashCode()) % 50}. */
    public static int partitionFor(String groupId) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % OffsetsTopic.PARTITIONS;
    }

    /** This broker now leads {@code partition} of {@code __consumer_offsets}: replay it and serve its groups. */
    public CompletableFuture<Void> takeOver(int partition) {
        throw unsupported();
    }

    /** This broker no longer leads {@code partition}: forget its groups (their members will rejoin elsewhere). */
    public void giveUp(int partition) {
        throw unsupported();
    }

    /** Whether this broker coordinates the group now (fails requests with NOT_COORDINATOR otherwise). */
    public boolean coordinates(String groupId) {
        throw unsupported();
    }

    public CompletableFuture<HeartbeatReply> heartbeat(MemberHeartbeat heartbeat) {
        throw unsupported();
    }

    /** Completes with the offsets written, once committed in {@code __consumer_offsets} and the cache. */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> commit(OffsetCommit commit) {
        throw unsupported();
    }

    /** The groups this broker coordinates. */
    public List<GroupListing> list() {
        throw unsupported();
    }

    /** Fails with GROUP_NOT_FOUND for a group with neither members nor offsets. */
    public GroupDescription describe(String groupId) {
        throw unsupported();
    }

    /** Sets committed offsets of a group with no members; GROUP_NOT_EMPTY (409) while it has any. */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> resetOffsets(String groupId,
            Map<TopicPartition, Long> offsets) {
        throw unsupported();
    }

    /** Deletes a group with no members and its offsets; GROUP_NOT_EMPTY (409) while it has any. */
    public CompletableFuture<Void> delete(String groupId) {
        throw unsupported();
    }

    /** Rebalances completed and their durations, per group, for metrics. */
    public Map<String, RebalanceStats> rebalanceStats() {
        throw unsupported();
    }

    /** Rebalances of one group: how many, and how long the last took from its trigger to every member owning its target. */
    public record RebalanceStats(long rebalances, long lastRebalanceMs, int members) {
    }

    @Override
    public void close() {
    }

    private static SluiceException unsupported() {
        return new SluiceException(ErrorCode.UNSUPPORTED, "consumer groups are being built");
    }
}
