package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The group coordinator of one broker: it runs the groups whose {@code __consumer_offsets}
 * partition this broker leads. Taking a partition over replays it to rebuild its groups' committed
 * offsets; giving it up forgets them. Membership lives in memory only: after a takeover members
 * find they are unknown and join again, keeping nothing, so no partition is read twice at once.
 *
 * <p>Each group's state is guarded by its own monitor ({@link Group}); appends to the offsets topic
 * go through one {@link AppendQueue} per partition and no lock is held while they are in flight.
 * A periodic sweep on the given scheduler, reading the injected clock, expires members past their
 * session timeout and the offsets of groups empty for longer than the offsets retention.
 */
public final class GroupCoordinator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GroupCoordinator.class.getName());
    /** Kafka's limit on a group id's length. */
    public static final int MAX_GROUP_ID_LENGTH = 249;
    /** Kafka's {@code offset.metadata.max.bytes} default. */
    public static final int MAX_METADATA_BYTES = 4096;
    /** How often the sweep looks for expired sessions and offsets (real time; it reads the clock). */
    static final long SWEEP_INTERVAL_MS = 100;
    /**
     * How long a commit, reset or delete waits for its records to be committed before it fails
     * ({@link WriteBound}): under a WebSocket member's own 15 s wait, so it gets an answer.
     */
    public static final long WRITE_TIMEOUT_MS = 12_000;

    private final TopicCatalog catalog;
    private final OffsetsCache cache;
    private final GroupSettings settings;
    private final LongSupplier clock;
    private final int brokerId;
    private final Supplier<String> memberIds;
    private final GroupDirectory directory;
    private final ScheduledFuture<?> sweeper;
    private final long writeTimeoutMs;

    public GroupCoordinator(int brokerId, OffsetsTopic offsetsTopic, TopicCatalog catalog, OffsetsCache cache,
            GroupSettings settings, ScheduledExecutorService scheduler, LongSupplier clock) {
        this(brokerId, offsetsTopic, catalog, cache, settings, scheduler, clock, Group.randomMemberIds());
    }

    /** With the member ids given by {@code memberIds}: tests replay a seeded run exactly. */
    GroupCoordinator(int brokerId, OffsetsTopic offsetsTopic, TopicCatalog catalog, OffsetsCache cache,
            GroupSettings settings, ScheduledExecutorService scheduler, LongSupplier clock,
            Supplier<String> memberIds) {
        this(brokerId, offsetsTopic, catalog, cache, settings, scheduler, clock, memberIds, WRITE_TIMEOUT_MS);
    }

    /** With a bound on writes of its own: tests see a write that never completes fail quickly. */
    GroupCoordinator(int brokerId, OffsetsTopic offsetsTopic, TopicCatalog catalog, OffsetsCache cache,
            GroupSettings settings, ScheduledExecutorService scheduler, LongSupplier clock,
            Supplier<String> memberIds, long writeTimeoutMs) {
        this.writeTimeoutMs = writeTimeoutMs;
        this.brokerId = brokerId;
        this.catalog = catalog;
        this.cache = cache;
        this.settings = settings;
        this.clock = clock;
        this.memberIds = memberIds;
        this.directory = new GroupDirectory(offsetsTopic, catalog, cache, settings, clock);
        this.sweeper = scheduler.scheduleWithFixedDelay(this::sweepQuietly, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
    }

    /** The {@code __consumer_offsets} partition of a group: Kafka's {@code abs(groupId.hashCode()) % 50}. */
    public static int partitionFor(String groupId) {
        int h = groupId.hashCode();
        return (h == Integer.MIN_VALUE ? 0 : Math.abs(h)) % OffsetsTopic.PARTITIONS;
    }

    /** Refuses (INVALID_GROUP_ID) a group id that is null, empty, longer than 249 chars or has control characters. */
    public static void validateGroupId(String groupId) {
        if (groupId == null || groupId.isEmpty() || groupId.length() > MAX_GROUP_ID_LENGTH
                || groupId.chars().anyMatch(Character::isISOControl)) {
            throw new SluiceException(ErrorCode.INVALID_GROUP_ID, "a group id is 1 to " + MAX_GROUP_ID_LENGTH
                    + " characters with no control characters, was " + describeId(groupId));
        }
    }

    /** This broker now leads {@code partition} of {@code __consumer_offsets}: replay it and serve its groups. */
    public CompletableFuture<Void> takeOver(int partition) {
        return directory.takeOver(partition);
    }

    /** This broker no longer leads {@code partition}: forget its groups (their members will rejoin elsewhere). */
    public void giveUp(int partition) {
        directory.giveUp(partition);
    }

    /** Whether this broker coordinates the group now (fails requests with NOT_COORDINATOR otherwise). */
    public boolean coordinates(String groupId) {
        return directory.coordinates(groupId);
    }

    /**
     * A member's heartbeat: epoch 0 joins (a new member id is given), -1 leaves, anything else must
     * be the member's current epoch, or the one before it from a member retrying after a lost reply
     * (UNKNOWN_MEMBER_ID otherwise, and the member is removed). The reply says what the member may
     * own now; it never holds a partition another member may be reading. A member sends one
     * heartbeat at a time: replies to two at once could reach it in the wrong order.
     */
    public CompletableFuture<HeartbeatReply> heartbeat(MemberHeartbeat hb) {
        try {
            validateGroupId(hb.groupId());
            long now = clock.getAsLong();
            if (hb.memberEpoch() == MemberHeartbeat.LEAVE_EPOCH) {
                try {
                    directory.withGroup(hb.groupId(), () -> groupNotFound(hb.groupId()), (st, g) -> {
                        g.leave(hb.memberId(), now);
                        return null;
                    });
                } catch (SluiceException e) {
                    if (e.code() != ErrorCode.GROUP_NOT_FOUND) {
                        throw e;
                    }
                }
                return CompletableFuture.completedFuture(new HeartbeatReply(hb.memberId(),
                        MemberHeartbeat.LEAVE_EPOCH, Set.of(), Map.of(), 0));
            }
            if (hb.memberEpoch() == MemberHeartbeat.JOIN_EPOCH) {
                checkTopics(hb.topics());
                long timeout = sessionTimeout(hb.sessionTimeoutMs());
                return CompletableFuture.completedFuture(directory.withGroup(hb.groupId(), null,
                        (s, g) -> g.join(hb, memberIds.get(), timeout, now)));
            }
            if (hb.memberEpoch() < 0) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "memberEpoch=" + hb.memberEpoch()
                        + ": 0 joins, -1 leaves, else the epoch last given");
            }
            return CompletableFuture.completedFuture(directory.withGroup(hb.groupId(),
                    () -> unknownMember(hb.groupId(), hb.memberId()), (s, g) -> g.heartbeat(hb, now)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes with the offsets written, once committed in {@code __consumer_offsets} and the cache. */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> commit(OffsetCommit commit) {
        try {
            validateGroupId(commit.groupId());
            Map<TopicPartition, CommittedOffset> written = toCommitted(commit.offsets(), commit.metadata());
            List<OffsetsTopic.Entry> entries = encode(commit.groupId(), written);
            Supplier<SluiceException> unknown = () -> unknownMember(commit.groupId(), commit.memberId());
            Located at = directory.withGroup(commit.groupId(), unknown, (s, g) -> {
                g.checkCommit(commit);
                if (!written.isEmpty()) {
                    g.pendingCommits++;
                }
                return new Located(s, g);
            });
            if (written.isEmpty()) {
                return CompletableFuture.completedFuture(written);
            }
            // Appended with no lock held: the queue may run other groups' completions on this thread.
            return WriteBound.bound(writeTimeoutMs, at.s().appends.append(whileCoordinating(at.s(), () -> entries),
                    () -> apply(at.s(), at.g(), written, false))
                    .whenComplete((v, e) -> settled(at.s(), at.g(), () -> at.g().pendingCommits--))
                    .thenApply(v -> written), "a commit of group '" + commit.groupId() + "'", at.s().partition);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The groups this broker coordinates. */
    public List<GroupListing> list() {
        List<GroupListing> listings = new ArrayList<>();
        directory.forEachGroup((s, g) -> {
            if (!g.members.isEmpty() || !g.offsets.isEmpty()) {
                listings.add(new GroupListing(g.id, g.state(), g.members.size()));
            }
        });
        listings.sort(Comparator.comparing(GroupListing::groupId));
        return listings;
    }

    /** Fails with GROUP_NOT_FOUND for a group with neither members nor offsets. */
    public GroupDescription describe(String groupId) {
        validateGroupId(groupId);
        return GroupDescriber.describe(brokerId, catalog, directory.withGroup(groupId, () -> groupNotFound(groupId),
                (s, g) -> GroupDescriber.snapshot(g)));
    }

    /** Sets committed offsets of a group with no members; GROUP_NOT_EMPTY (409) while it has any. */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> resetOffsets(String groupId,
            Map<TopicPartition, Long> offsets) {
        try {
            validateGroupId(groupId);
            Map<TopicPartition, CommittedOffset> written = toCommitted(offsets, "");
            List<OffsetsTopic.Entry> entries = encode(groupId, written);
            if (written.isEmpty()) {
                return CompletableFuture.completedFuture(written);
            }
            Located at = directory.withGroup(groupId, null, (s, g) -> {
                beginAdmin(g, "reset the offsets of");
                return new Located(s, g);
            });
            return WriteBound.bound(writeTimeoutMs, at.s().appends.append(whileCoordinating(at.s(), () -> entries),
                    () -> apply(at.s(), at.g(), written, true))
                    .whenComplete((v, e) -> settled(at.s(), at.g(), () -> at.g().adminBusy = false))
                    .thenApply(v -> written), "resetting the offsets of group '" + groupId + "'", at.s().partition);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Deletes a group with no members and its offsets; GROUP_NOT_EMPTY (409) while it has any. */
    public CompletableFuture<Void> delete(String groupId) {
        try {
            validateGroupId(groupId);
            Located at = directory.withGroup(groupId, () -> groupNotFound(groupId), (s, g) -> {
                if (g.members.isEmpty() && g.offsets.isEmpty() && g.pendingCommits == 0) {
                    throw groupNotFound(groupId);
                }
                beginAdmin(g, "delete");
                return new Located(s, g);
            });
            return WriteBound.bound(writeTimeoutMs, removeOffsets(at.s(), at.g()), "deleting group '" + groupId + "'",
                    at.s().partition);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Rebalances completed and their durations, per group, for metrics. */
    public Map<String, RebalanceStats> rebalanceStats() {
        Map<String, RebalanceStats> stats = new TreeMap<>();
        directory.forEachGroup((s, g) -> stats.put(g.id,
                new RebalanceStats(g.rebalances, g.lastRebalanceMs, g.members.size())));
        return stats;
    }

    /** A group and the partition that holds it, to append for it once its monitor is released. */
    private record Located(CoordinatedPartition s, Group g) {
    }

    /**
     * Rebalances of one group: how many completed, and how long the last took from the change that
     * started it to every member owning its target.
     */
    public record RebalanceStats(long rebalances, long lastRebalanceMs, int members) {
    }

    @Override
    public void close() {
        sweeper.cancel(false);
    }

    /** Expires sessions and the offsets of groups empty past retention; the scheduler runs it, tests may too. */
    void sweep() {
        long now = clock.getAsLong();
        List<Located> expiring = new ArrayList<>();
        directory.forEachGroup((s, g) -> {
            for (String member : g.expireMembers(now)) {
                LOG.log(System.Logger.Level.INFO, "group {0}: member {1} expired (not heard from within its "
                        + "session timeout)", g.id, member);
            }
            if (g.members.isEmpty() && !g.offsets.isEmpty() && !g.adminBusy && g.pendingCommits == 0
                    && now - g.emptySinceMs >= settings.offsetsRetentionMs()) {
                g.adminBusy = true;
                expiring.add(new Located(s, g));
            }
        });
        for (Located at : expiring) {
            LOG.log(System.Logger.Level.INFO, "group {0}: its offsets expire, empty since {1}", at.g().id,
                    at.g().emptySinceMs);
            removeOffsets(at.s(), at.g());
        }
    }

    private void sweepQuietly() {
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "group sweep failed; it runs again", e); // a throw would cancel it
        }
    }

    /** Tombstones every offset of the group, then drops it. The caller set {@code adminBusy}. */
    private CompletableFuture<Void> removeOffsets(CoordinatedPartition s, Group g) {
        return s.appends.append(whileCoordinating(s, () -> {
            synchronized (g) {
                return g.offsets.keySet().stream().map(tp -> GroupRecords.tombstone(g.id, tp)).toList();
            }
        }), () -> {
            List<TopicPartition> removed;
            synchronized (g) {
                removed = List.copyOf(g.offsets.keySet());
                g.offsets.clear();
            }
            if (s.active) {
                cache.remove(g.id, removed);
            }
        }).whenComplete((v, e) -> settled(s, g, () -> g.adminBusy = false));
    }

    /**
     * A write's records, refused with NOT_COORDINATOR when its turn comes after the partition was
     * given up. A takeover replays once the appends issued before it settled, so a write issued
     * after giveUp would be acknowledged yet missing from the state the new coordinator loaded.
     */
    private static Supplier<List<OffsetsTopic.Entry>> whileCoordinating(CoordinatedPartition s,
            Supplier<List<OffsetsTopic.Entry>> entries) {
        return () -> {
            if (!s.active) {
                throw GroupDirectory.notCoordinator(s.partition);
            }
            return entries.get();
        };
    }

    private void apply(CoordinatedPartition s, Group g, Map<TopicPartition, CommittedOffset> written, boolean reset) {
        synchronized (g) {
            g.offsets.putAll(written);
            if (reset) {
                g.emptySinceMs = Math.max(g.emptySinceMs, clock.getAsLong()); // an operator's reset restarts retention
            }
        }
        if (s.active) {
            cache.put(g.id, written); // after giveUp the next coordinator owns the cache entries
        }
    }

    private void settled(CoordinatedPartition s, Group g, Runnable release) {
        synchronized (g) {
            release.run();
            GroupDirectory.retireIfIdle(s, g);
        }
    }

    private void beginAdmin(Group g, String what) {
        if (!g.members.isEmpty()) {
            throw new SluiceException(ErrorCode.GROUP_NOT_EMPTY, "cannot " + what + " group '" + g.id + "': it has "
                    + g.members.size() + " live members");
        }
        if (g.adminBusy) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "group '" + g.id
                    + "' is being reset, deleted or expired; try again");
        }
        g.adminBusy = true;
    }

    private Map<TopicPartition, CommittedOffset> toCommitted(Map<TopicPartition, Long> offsets, String metadata) {
        if (metadata.getBytes(StandardCharsets.UTF_8).length > MAX_METADATA_BYTES) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "commit metadata is longer than "
                    + MAX_METADATA_BYTES + " bytes");
        }
        long now = clock.getAsLong();
        Map<TopicPartition, CommittedOffset> written = new HashMap<>();
        offsets.forEach((tp, offset) -> {
            if (tp == null || tp.topic() == null || tp.topic().isEmpty()) {
                throw new SluiceException(ErrorCode.INVALID_REQUEST, "a committed partition names its topic, was "
                        + tp);
            }
            if (offset == null || offset < 0 || tp.partition() < 0) {
                throw new SluiceException(ErrorCode.INVALID_OFFSET, "offset " + offset + " for " + tp
                        + ": a committed offset is 0 or more");
            }
            written.put(tp, new CommittedOffset(offset, metadata, now));
        });
        return Map.copyOf(written);
    }

    private static List<OffsetsTopic.Entry> encode(String groupId, Map<TopicPartition, CommittedOffset> written) {
        return written.entrySet().stream().map(e -> GroupRecords.commit(groupId, e.getKey(), e.getValue())).toList();
    }

    private long sessionTimeout(long asked) {
        if (asked <= 0) {
            return settings.defaultSessionTimeoutMs();
        }
        if (asked < settings.minSessionTimeoutMs() || asked > settings.maxSessionTimeoutMs()) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "sessionTimeoutMs=" + asked + " is outside ["
                    + settings.minSessionTimeoutMs() + ", " + settings.maxSessionTimeoutMs() + "]");
        }
        return asked;
    }

    private static void checkTopics(List<String> topics) {
        if (topics.isEmpty() || topics.stream().anyMatch(t -> t == null || t.isEmpty())) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a member reads one or more named topics, was "
                    + topics);
        }
    }

    private static SluiceException unknownMember(String groupId, String memberId) {
        return new SluiceException(ErrorCode.UNKNOWN_MEMBER_ID, "group '" + groupId + "' has no member " + memberId
                + " here (its session expired, or the coordinator moved): join again");
    }

    private static SluiceException groupNotFound(String groupId) {
        return new SluiceException(ErrorCode.GROUP_NOT_FOUND, "no group '" + groupId + "' (no members, no offsets)");
    }

    private static String describeId(String groupId) {
        return groupId == null ? "null" : groupId.length() > 40 ? "'" + groupId.substring(0, 40) + "...' ("
                + groupId.length() + " characters)" : "'" + groupId + "'";
    }
}
