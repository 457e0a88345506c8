package io.sluice.broker;

import io.sluice.broker.ReplicationClients.Purpose;
import io.sluice.cluster.InfinispanMetadataStore;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.GroupDescription;
import io.sluice.group.GroupListing;
import io.sluice.group.GroupSettings;
import io.sluice.group.HeartbeatReply;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetReset;
import io.sluice.group.OffsetsCache;
import io.sluice.group.PartitionLag;
import io.sluice.replication.Messages;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import io.sluice.replication.ReplicaManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * The consumer groups of one broker: its {@link GroupCoordinator} (for the groups whose offsets
 * partition it leads), and the way every group operation that reaches this broker gets to the
 * group's coordinator wherever it is ({@link GroupRouting}). Serves the {@code GROUP} frames other
 * brokers send ({@link #serve}). Committed offsets are read from the replicated offsets cache.
 */
final class BrokerGroups implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(BrokerGroups.class.getName());

    private final MetadataStore store;
    private final Topics topics;
    private final ReplicaManager replicas;
    private final GroupCoordinator coordinator;
    private final OffsetsCache cache;
    private final OffsetsTopicSetup setup;
    private final GroupRouting routing;
    private final ExecutorService fetchPool;
    private final GroupLeadership leadership;
    private final ExecutorService adminThread;
    private final OffsetResolution resolution;

    private BrokerGroups(MetadataStore store, Topics topics, ReplicaManager replicas, GroupCoordinator coordinator,
            OffsetsCache cache, OffsetsTopicSetup setup, GroupRouting routing, ExecutorService fetchPool,
            GroupLeadership leadership, ExecutorService adminThread) {
        this.store = store;
        this.topics = topics;
        this.replicas = replicas;
        this.coordinator = coordinator;
        this.cache = cache;
        this.setup = setup;
        this.routing = routing;
        this.fetchPool = fetchPool;
        this.leadership = leadership;
        this.adminThread = adminThread;
        this.resolution = new OffsetResolution(topics, replicas, fetchPool);
    }

    /**
     * Builds the groups side of a broker: its coordinator over this broker's {@code __consumer_offsets}
     * replicas and the offsets cache, told of leadership changes from now on.
     *
     * @param clients to other brokers; null for a broker alone
     * @param creator the cluster's topic creation, for {@code __consumer_offsets}
     */
    static BrokerGroups start(int localId, GroupSettings settings, ClusterSettings cluster,
            InfinispanMetadataStore store, Topics topics, ReplicaManager replicas, ReplicationClients clients,
            OffsetsTopicSetup.Creator creator, ScheduledExecutorService scheduler, ExecutorService fetchPool,
            LongSupplier clock) {
        OffsetsCache cache = new ReplicatedOffsetsCache(store.groupOffsets());
        GroupCoordinator coordinator = new GroupCoordinator(localId, new OffsetsPartitions(topics, replicas, fetchPool,
                clock), new BrokerTopicCatalog(topics), cache, settings, scheduler, clock);
        GroupLeadership leadership = new GroupLeadership(coordinator, replicas,
                Executors.newSingleThreadScheduledExecutor(daemon("sluice-groups-" + localId)));
        replicas.addLeadershipListener(leadership);
        ExecutorService adminThread = Executors.newSingleThreadExecutor(daemon("sluice-group-admin-" + localId));
        OffsetsTopicSetup setup = new OffsetsTopicSetup(store, topics, cluster, settings, creator, adminThread);
        GroupRouting routing = new GroupRouting(localId, store,
                (id, request) -> clients.get(id, Purpose.GROUP).group(request),
                scheduler, cluster.replication().ackTimeoutMs());
        return new BrokerGroups(store, topics, replicas, coordinator, cache, setup, routing, fetchPool, leadership,
                adminThread);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    GroupCoordinator coordinator() {
        return coordinator;
    }

    // ---- what Broker calls ----------------------------------------------------------------------

    CompletableFuture<HeartbeatReply> heartbeat(MemberHeartbeat h) {
        return start(h.groupId(), true, () -> routing.toCoordinator(new GroupRouting.Op<>(GroupPayloads.OP_HEARTBEAT,
                h.groupId(), () -> GroupPayloads.heartbeat(h), () -> coordinating(h.groupId(), () -> coordinator.heartbeat(h)),
                b -> GroupPayloads.read(b, GroupPayloads::readHeartbeatReply))));
    }

    CompletableFuture<Map<TopicPartition, CommittedOffset>> commit(OffsetCommit c) {
        return start(c.groupId(), true, () -> routing.toCoordinator(new GroupRouting.Op<>(GroupPayloads.OP_COMMIT,
                c.groupId(), () -> GroupPayloads.commit(c), () -> coordinating(c.groupId(), () -> coordinator.commit(c)),
                b -> GroupPayloads.read(b, GroupPayloadReader::committedMap))));
    }

    CompletableFuture<GroupDescription> describe(String groupId) {
        return start(groupId, false, () -> routing.toCoordinator(new GroupRouting.Op<>(GroupPayloads.OP_DESCRIBE,
                groupId, GroupPayloads::empty, () -> coordinating(groupId,
                        () -> CompletableFuture.completedFuture(coordinator.describe(groupId))),
                b -> GroupPayloads.read(b, GroupPayloads::readDescription))).thenCompose(this::withEndOffsets));
    }

    /**
     * The coordinator knows the end offsets of the partitions it holds a replica of; the others'
     * are asked of their leaders, once each (a leader that does not answer leaves the end unknown, -1).
     */
    private CompletableFuture<GroupDescription> withEndOffsets(GroupDescription d) {
        List<CompletableFuture<PartitionLag>> lags = new ArrayList<>();
        for (PartitionLag l : d.offsets()) {
            if (l.endOffset() >= 0) {
                lags.add(CompletableFuture.completedFuture(l));
                continue;
            }
            TopicPartition tp = new TopicPartition(l.topic(), l.partition());
            OffsetResolution.Query latest = new OffsetResolution.Query(OffsetResolution.LATEST, 0);
            int leader = routing.leaderOf(tp);
            CompletableFuture<Long> end = leader < 0 ? CompletableFuture.completedFuture(-1L)
                    : routing.toBroker(leader, new GroupRouting.Op<>(GroupPayloads.OP_RESOLVE, "",
                            () -> GroupPayloads.resolve(latest.kind(), latest.value(), List.of(tp)),
                            () -> resolution.resolve(tp, latest),
                            b -> GroupPayloads.read(b, GroupPayloadReader::offsetMap).get(tp)));
            lags.add(end.handle((e, error) -> {
                long known = error == null && e != null ? e : -1;
                long lag = l.committed() < 0 || known < 0 ? -1 : Math.max(0, known - l.committed());
                return new PartitionLag(l.topic(), l.partition(), l.committed(), known, lag);
            }));
        }
        return CompletableFuture.allOf(lags.toArray(CompletableFuture[]::new)).thenApply(v -> new GroupDescription(
                d.groupId(), d.state(), d.protocol(), d.strategy(), d.groupEpoch(), d.coordinator(), d.members(),
                lags.stream().map(CompletableFuture::join).toList(), d.rebalances()));
    }

    CompletableFuture<Void> delete(String groupId) {
        return start(groupId, false, () -> routing.toCoordinator(new GroupRouting.Op<>(GroupPayloads.OP_DELETE,
                groupId, GroupPayloads::empty, () -> coordinating(groupId, () -> coordinator.delete(groupId)),
                b -> GroupPayloads.read(b, in -> null))));
    }

    /** Where {@code to} points in a partition, resolved on its leader (clamped to its log start and high watermark). */
    CompletableFuture<Long> resolve(TopicPartition tp, OffsetReset to) {
        try {
            topics.get(tp.topic()).checkExists(tp.partition());
            return resolveOnLeader(tp, OffsetResolution.query(to));
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Long> resolveOnLeader(TopicPartition tp, OffsetResolution.Query query) {
        return routing.toLeader(tp, new GroupRouting.Op<>(GroupPayloads.OP_RESOLVE, "",
                () -> GroupPayloads.resolve(query.kind(), query.value(), List.of(tp)),
                () -> resolution.resolve(tp, query),
                b -> GroupPayloads.read(b, GroupPayloadReader::offsetMap).get(tp)));
    }

    /** Resolves {@code to} per partition on each partition's leader, then has the coordinator write it. */
    CompletableFuture<Map<TopicPartition, CommittedOffset>> reset(String groupId, String topic, OffsetReset to,
            List<Integer> partitions) {
        try {
            validateGroupId(groupId);
            Topic t = topics.get(topic);
            List<Integer> chosen = partitions == null || partitions.isEmpty()
                    ? IntStream.range(0, t.partitionCount()).boxed().toList() : partitions;
            chosen.forEach(t::checkExists);
            OffsetResolution.Query query = OffsetResolution.query(to);
            return setup.ensure().thenCompose(v -> resolveAll(topic, chosen, query)).thenCompose(offsets ->
                    routing.toCoordinator(new GroupRouting.Op<>(GroupPayloads.OP_RESET, groupId,
                            () -> GroupPayloads.offsets(offsets), () -> coordinating(groupId,
                                    () -> coordinator.resetOffsets(groupId, offsets)),
                            b -> GroupPayloads.read(b, GroupPayloadReader::committedMap))));
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<Map<TopicPartition, Long>> resolveAll(String topic, List<Integer> partitions,
            OffsetResolution.Query query) {
        Map<TopicPartition, CompletableFuture<Long>> pending = new LinkedHashMap<>();
        for (int p : partitions) {
            TopicPartition tp = new TopicPartition(topic, p);
            pending.put(tp, resolveOnLeader(tp, query));
        }
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
            pending.forEach((tp, f) -> offsets.put(tp, f.join()));
            return offsets;
        });
    }

    /** Asks every live broker for the groups it coordinates; a group moving between two is listed once. */
    CompletableFuture<List<GroupListing>> list() {
        if (!setup.exists()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<CompletableFuture<List<GroupListing>>> asked = new ArrayList<>();
        List<Integer> brokers = new ArrayList<>(store.liveBrokers());
        for (int id : brokers) {
            asked.add(routing.toBroker(id, new GroupRouting.Op<>(GroupPayloads.OP_LIST, "", GroupPayloads::empty,
                    () -> CompletableFuture.completedFuture(coordinator.list()),
                    b -> GroupPayloads.read(b, GroupPayloads::readListings))).exceptionally(e -> {
                        LOG.log(System.Logger.Level.INFO, "broker {0} did not list its groups: {1}", id,
                                SluiceException.causeOf(e).getMessage());
                        return List.of();
                    }));
        }
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, GroupListing> merged = new TreeMap<>();
            for (int i = 0; i < brokers.size(); i++) {
                int from = brokers.get(i);
                for (GroupListing g : asked.get(i).join()) {
                    // two brokers may both list a group for a moment while it moves: the current coordinator's wins
                    if (!merged.containsKey(g.groupId()) || routing.coordinatorOf(g.groupId()) == from) {
                        merged.put(g.groupId(), g);
                    }
                }
            }
            return merged.values().stream().sorted(Comparator.comparing(GroupListing::groupId)).toList();
        });
    }

    Map<TopicPartition, CommittedOffset> committed(String groupId) {
        validateGroupId(groupId);
        return cache.get(groupId);
    }

    Map<String, GroupCoordinator.RebalanceStats> rebalanceStats() {
        return coordinator.rebalanceStats();
    }

    // ---- what other brokers ask -----------------------------------------------------------------

    /** Serves a {@code GROUP} frame: an error reply for anything refused, never a thrown exception. */
    CompletableFuture<GroupResponse> serve(GroupRequest r) {
        CompletableFuture<ByteBuffer> reply;
        try {
            String g = r.groupId();
            reply = switch (r.op()) {
                case GroupPayloads.OP_HEARTBEAT -> {
                    MemberHeartbeat h = GroupPayloads.read(r.payload(), GroupPayloads::readHeartbeat);
                    sameGroup(g, h.groupId(), h);
                    yield coordinating(g, () -> coordinator.heartbeat(h)).thenApply(GroupPayloads::heartbeatReply);
                }
                case GroupPayloads.OP_COMMIT -> {
                    OffsetCommit c = GroupPayloads.read(r.payload(), GroupPayloads::readCommit);
                    sameGroup(g, c.groupId(), c);
                    yield coordinating(g, () -> coordinator.commit(c)).thenApply(GroupPayloads::committed);
                }
                case GroupPayloads.OP_LIST -> CompletableFuture.completedFuture(
                        GroupPayloads.listings(coordinator.list()));
                case GroupPayloads.OP_DESCRIBE -> coordinating(g,
                        () -> CompletableFuture.completedFuture(GroupPayloads.description(coordinator.describe(g))));
                case GroupPayloads.OP_RESET -> {
                    Map<TopicPartition, Long> offsets = GroupPayloads.read(r.payload(), GroupPayloadReader::offsetMap);
                    yield coordinating(g, () -> coordinator.resetOffsets(g, offsets))
                            .thenApply(GroupPayloads::committed);
                }
                case GroupPayloads.OP_DELETE -> coordinating(g, () -> coordinator.delete(g))
                        .thenApply(v -> GroupPayloads.empty());
                case GroupPayloads.OP_RESOLVE -> {
                    OffsetResolution.Request q = GroupPayloads.read(r.payload(), OffsetResolution::readRequest);
                    yield resolution.resolve(q.partition(), q.query())
                            .thenApply(o -> GroupPayloads.offsets(Map.of(q.partition(), o)));
                }
                default -> throw GroupPayloads.malformed("unknown group operation " + r.op());
            };
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        return reply.handle((payload, e) -> e == null ? new GroupResponse(null, payload)
                : new GroupResponse(error(SluiceException.causeOf(e)), GroupPayloads.empty()));
    }

    private static <T> T sameGroup(String framed, String inPayload, T value) {
        if (!framed.equals(inPayload)) {
            throw GroupPayloads.malformed("the frame names group '" + framed + "', its payload '" + inPayload + "'");
        }
        return value;
    }

    private static Messages.Error error(Throwable cause) {
        ErrorCode code = cause instanceof SluiceException s ? s.code() : ErrorCode.STORAGE_ERROR;
        String message = String.valueOf(cause.getMessage());
        return new Messages.Error(code.name(), message.length() > 2000 ? message.substring(0, 2000) : message);
    }

    // ---- helpers --------------------------------------------------------------------------------

    /** Runs {@code call} only while this broker coordinates the group: a request that came to a broker the group just left gets NOT_COORDINATOR. */
    private <T> CompletableFuture<T> coordinating(String groupId, Supplier<CompletableFuture<T>> call) {
        try {
            if (!coordinator.coordinates(groupId)) {
                throw new SluiceException(ErrorCode.NOT_COORDINATOR, "broker " + store.localBrokerId()
                        + " does not coordinate group " + groupId + " (now)");
            }
            return call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Validates the group id, then runs {@code call} once {@code __consumer_offsets} exists: created
     * first when {@code create}, else a group cannot exist yet (GROUP_NOT_FOUND).
     */
    private <T> CompletableFuture<T> start(String groupId, boolean create, Supplier<CompletableFuture<T>> call) {
        try {
            validateGroupId(groupId);
            if (!create && !setup.exists()) {
                throw new SluiceException(ErrorCode.GROUP_NOT_FOUND, "group '" + groupId + "' does not exist");
            }
            return setup.ensure().thenCompose(v -> call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    static void validateGroupId(String groupId) {
        GroupCoordinator.validateGroupId(groupId);
    }

    @Override
    public void close() {
        leadership.close();
        adminThread.shutdownNow();
        coordinator.close();
    }
}
