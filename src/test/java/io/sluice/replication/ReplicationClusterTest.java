package io.sluice.replication;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.ClusterConfig;
import io.sluice.cluster.InfinispanMetadataStore;
import io.sluice.cluster.MetadataListener;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.EpochEntry;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.AppendInfo;
import io.sluice.log.Record;
import io.sluice.log.RecordBatch;
import io.sluice.log.RecordBatchBuilder;
import io.sluice.replication.Messages.EpochEnd;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochQuery;
import io.sluice.replication.Messages.FetchPartition;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchedPartition;
import io.vertx.core.Vertx;
import io.sluice.testing.FreePorts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers' replication in one JVM, end to end: real partition logs (fsync on), a real
 * three-member Infinispan metadata store over JGroups on 127.0.0.1, real replication listeners
 * and clients. Each broker applies every partition state the store announces, as the broker's
 * metadata listener does; tests move leadership by conditional writes, as the controller does.
 */
class ReplicationClusterTest {
    private static final long SEED = 0x5eed_8L;
    private static final long LAG_MS = 1_500;
    private static final ReplicationSettings SETTINGS = ReplicationSettings.defaults()
            .withReplicaLagTimeMaxMs(LAG_MS).withAckTimeoutMs(20_000);
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path clusterDir;
    private static Vertx vertx;
    private static final InfinispanMetadataStore[] STORES = new InfinispanMetadataStore[3];
    private static final ReplicaNode[] NODES = new ReplicaNode[3];

    @TempDir
    Path dir;
    private Random random;
    private String topic;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws IOException {
        vertx = Vertx.vertx();
        int[] ports = {FreePorts.pair(), FreePorts.pair(), FreePorts.pair()};
        List<String> members = Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).toList();
        for (int i = 0; i < 3; i++) {
            STORES[i] = InfinispanMetadataStore.open(ClusterConfig.of("replication", i + 1,
                    clusterDir.resolve("broker-" + (i + 1))).withBind("127.0.0.1", ports[i]).withMembers(members));
            int index = i;
            STORES[i].addListener(new MetadataListener() {
                @Override
                public void partitionChanged(TopicPartition partition) {
                    ReplicaNode node = NODES[index];
                    if (node != null) {
                        node.partitionChanged(partition);
                    }
                }
            });
        }
        await().atMost(WAIT).until(() -> Arrays.stream(STORES)
                .allMatch(s -> s.liveBrokers().equals(Set.of(1, 2, 3)) && s.isAvailable()));
    }

    @AfterAll
    static void stopCluster() {
        for (int i = 2; i >= 0; i--) {
            if (STORES[i] != null) {
                STORES[i].close();
            }
        }
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void startNodes(TestInfo info) {
        long seed = SEED ^ info.getDisplayName().hashCode();
        System.out.println(info.getDisplayName() + ": seed " + seed);
        random = new Random(seed);
        topic = info.getTestMethod().orElseThrow().getName();
        for (int i = 0; i < 3; i++) {
            NODES[i] = new ReplicaNode(i + 1, STORES[i], vertx, dir.resolve("broker-" + (i + 1)), SETTINGS);
            NODES[i].start();
        }
    }

    @AfterEach
    void stopNodes() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        for (int i = 0; i < 3; i++) {
            NODES[i].close();
            NODES[i] = null;
        }
    }

    // ---- 1. acks=all, identical logs, high watermark --------------------------------------------

    @Test
    void acksAllAppendsLeaveEveryReplicaIdenticalUpToTheHighWatermark() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        List<String> violations = new CopyOnWriteArrayList<>();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        closeAfter.add(sampler::shutdownNow);
        sampler.scheduleWithFixedDelay(() -> sampleHighWatermark(tp, 1, violations), 0, 1, TimeUnit.MILLISECONDS);

        List<CompletableFuture<AppendInfo>> appends = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            appends.add(node(1).manager().appendAsLeader(tp, batch("b" + i), random.nextInt(4) != 0));
        }
        CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        PartitionLog leader = node(1).log(tp);
        assertEquals(leader.logEndOffset(), leader.highWatermark(), "every acks=all completed: the HW is the log end");
        awaitIdentical(tp, 1, 2, 3);
        sampler.shutdownNow();
        assertEquals(List.of(), violations, "the HW passed an ISR member's fsynced end");
        for (byte[] b : ReplicaLogs.batchesBelow(leader, leader.highWatermark())) {
            assertEquals(0, new RecordBatch(ByteBuffer.wrap(b), 0).partitionLeaderEpoch());
        }
        assertEquals(List.of(1, 2, 3), STORES[0].partition(tp).orElseThrow().isr());
    }

    /** Power-loss flavour: the leader's HW never passes what any ISR member has fsynced. */
    private void sampleHighWatermark(TopicPartition tp, int leaderId, List<String> violations) {
        ReplicaNode leaderNode = node(leaderId);
        if (!leaderNode.running()) {
            return;
        }
        long hw = leaderNode.log(tp).highWatermark();
        List<Integer> isr = leaderNode.manager().isr(tp).orElse(List.of());
        for (int member : isr) {
            ReplicaNode n = node(member);
            PartitionLog log = n.running() ? n.log(tp) : null;
            if (log != null && log.durableEnd() < hw) {
                violations.add("HW " + hw + " > durable end " + log.durableEnd() + " of broker " + member);
            }
        }
    }

    /**
     * Every replica loses its power at once, with appends in flight: each record acknowledged with
     * acks=all was fsynced on every in-sync replica before its acknowledgement (positions are
     * reported after fsync), so it is still there, at its offset, on every replica afterwards.
     */
    @Test
    void acknowledgedRecordsSurviveAPowerLossOfEveryReplica() throws Exception {
        for (int id = 1; id <= 3; id++) {
            node(id).stop();
            node(id).usePowerLossDisk();
            node(id).start();
        }
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        List<CompletableFuture<?>> all = new CopyOnWriteArrayList<>();
        AtomicBoolean producing = new AtomicBoolean(true);
        closeAfter.add(() -> producing.set(false));
        Random producerRandom = new Random(random.nextLong());
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (int i = 0; producing.get() && node(1).running(); i++) {
                String value = "p" + i + "-" + producerRandom.nextLong();
                boolean acksAll = producerRandom.nextInt(3) != 0;
                List<Record> records = List.of(new Record(new byte[producerRandom.nextInt(4_000)],
                        value.getBytes(StandardCharsets.UTF_8), 1_000, List.of()));
                CompletableFuture<AppendInfo> f = node(1).manager().appendAsLeader(tp,
                        RecordBatchBuilder.build(records), acksAll);
                all.add(f.thenAccept(info -> {
                    if (acksAll) {
                        acknowledged.put(info.baseOffset(), value);
                    }
                }));
                if (!acksAll && i % 4 == 3) {
                    f.exceptionally(e -> null).join(); // written: a bounded run of acks=all in flight, not thousands
                }
            }
        });
        await().atMost(WAIT).until(() -> acknowledged.size() >= 200);
        long[] endsBefore = new long[3];
        for (int id : new int[] {1, 2, 3}) { // the leader first: its unsynced tail goes, the followers' may stay
            endsBefore[id - 1] = node(id).log(tp).logEndOffset();
            node(id).powerLoss();
        }
        producing.set(false);
        producer.exceptionally(e -> null).get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // it may meet the stopped node
        await().atMost(WAIT).until(() -> all.stream().allMatch(CompletableFuture::isDone));
        Map<Long, String> survived = Map.copyOf(acknowledged);
        node(1).start();
        awaitLeader(1, tp, 1); // a leader that restarts leads at a new epoch
        System.out.println("log ends before the power loss " + Arrays.toString(endsBefore) + ", the leader's after "
                + node(1).log(tp).logEndOffset() + "; " + survived.size() + " acknowledged");
        node(2).start();
        node(3).start();
        survived.forEach((offset, value) -> assertTrue(node(1).log(tp).logEndOffset() > offset,
                "acknowledged offset " + offset + " is on the restarted leader"));
        appendAll(1, tp, 3, true);
        awaitIdentical(tp, 1, 2, 3);
        for (int id = 1; id <= 3; id++) {
            Map<Long, String> onBroker = ReplicaLogs.values(node(id).log(tp));
            for (Map.Entry<Long, String> e : survived.entrySet()) {
                assertEquals(e.getValue(), onBroker.get(e.getKey()), "acknowledged offset " + e.getKey() + " on " + id);
            }
        }
    }

    // ---- 2. strict min.insync.replicas ----------------------------------------------------------

    @Test
    void anIsrBelowMinInsyncReplicasRefusesAcksAllAndFreezesTheHighWatermark() throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        assertTrue(STORES[0].createPartition(new PartitionState(topic, "id-" + topic, 0, 1, 0, 0, List.of(1, 2, 3),
                List.of(1), List.of())));
        PartitionLog leader = node(1).hold(tp, 2); // the followers do not hold it yet
        awaitLeader(1, tp, 0);

        CompletableFuture<AppendInfo> refused = node(1).manager().appendAsLeader(tp, batch("all"), true);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, codeOf(refused));
        assertEquals(0, leader.logEndOffset(), "nothing was written");

        AppendInfo one = node(1).manager().appendAsLeader(tp, batch("one", "two"), false).get(10, TimeUnit.SECONDS);
        assertEquals(new AppendInfo(0, 1), one);
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3))
                .until(() -> leader.highWatermark() == 0 && leader.durableEnd() == 2);

        node(2).hold(tp, 2);
        node(3).hold(tp, 2);
        await().atMost(WAIT).until(() -> STORES[0].partition(tp).orElseThrow().isr().equals(List.of(1, 2, 3)));
        await().atMost(WAIT).until(() -> leader.highWatermark() == 2);
        node(1).manager().appendAsLeader(tp, batch("three"), true).get(10, TimeUnit.SECONDS);
        awaitIdentical(tp, 1, 2, 3);
    }

    // ---- 3. a follower stops and comes back -----------------------------------------------------

    @Test
    void aStoppedFollowerLeavesTheIsrAndRejoinsAfterCatchingUp() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        appendAll(1, tp, 10, true);

        node(3).stop();
        long start = System.currentTimeMillis();
        CompletableFuture<AppendInfo> waiting = node(1).manager().appendAsLeader(tp, batch("while-3-is-down"), true);
        waiting.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(System.currentTimeMillis() - start >= LAG_MS / 2, "it waited for the ISR to shrink");
        // another broker's copy of the metadata follows the write shortly after it
        await().atMost(WAIT).until(() -> STORES[1].partition(tp).orElseThrow().isr().equals(List.of(1, 2)));
        appendAll(1, tp, 10, true);

        node(3).start(); // a new listener port: the others must find it at its new address
        await().atMost(WAIT).until(() -> STORES[2].partition(tp).orElseThrow().isr().equals(List.of(1, 2, 3)));
        awaitIdentical(tp, 1, 2, 3);

        PartitionState moved = moveLeader(tp, 3, List.of(3, 1, 2));
        awaitLeader(3, tp, moved.leaderEpoch());
        appendAll(3, tp, 5, true);
        awaitIdentical(tp, 1, 2, 3);
    }

    /** A broker reopens a replica's log under a running manager: leader and follower keep their roles on it. */
    @Test
    void aReopenedLogKeepsItsRole() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        appendAll(1, tp, 5, true);
        awaitIdentical(tp, 1, 2, 3);

        node(2).reopen(tp);
        appendAll(1, tp, 5, true);
        awaitIdentical(tp, 1, 2, 3);

        LeaderState before = node(1).manager().replica(tp).leader;
        PartitionLog leader = node(1).reopen(tp);
        await().atMost(WAIT).until(() -> {
            LeaderState now = node(1).manager().replica(tp).leader;
            return now != null && now != before; // it led on through a moment of NOT_LEADER_OR_FOLLOWER
        });
        appendAll(1, tp, 5, true);
        awaitIdentical(tp, 1, 2, 3);

        node(2).stop();
        node(3).stop();
        long hw = leader.highWatermark();
        CompletableFuture<AppendInfo> unreplicated = node(1).manager().appendAsLeader(tp, batch("alone"), true);
        await().during(Duration.ofMillis(LAG_MS + 500)).atMost(Duration.ofSeconds(5))
                .until(() -> !unreplicated.isDone() && leader.highWatermark() == hw);
    }

    // ---- 4. a new leader, a divergent tail ------------------------------------------------------

    @Test
    void anOldLeaderCutsItsUnreplicatedTailAndFollowsTheNewLeader() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        Map<Long, String> acknowledged = new HashMap<>();
        acknowledged.putAll(appendAll(1, tp, 20, true));
        awaitIdentical(tp, 1, 2, 3);

        node(2).stop();
        node(3).stop();
        long committedEnd = node(1).log(tp).logEndOffset();
        List<String> tail = new ArrayList<>(appendAll(1, tp, 5, false).values());
        assertTrue(node(1).log(tp).logEndOffset() > committedEnd);

        PartitionState moved = moveLeader(tp, 2, List.of(2, 3));
        node(2).start();
        node(3).start();
        // elected while it was down, node 2 takes the role at a newer epoch than the one it found
        await().atMost(WAIT).until(() -> node(2).manager().leaderEpochIfLeading(tp) >= moved.leaderEpoch());
        acknowledged.putAll(appendAll(2, tp, 10, true));
        awaitIdentical(tp, 1, 2, 3);

        Map<Long, String> onOldLeader = ReplicaLogs.values(node(1).log(tp));
        for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
            assertEquals(e.getValue(), onOldLeader.get(e.getKey()), "acknowledged record at offset " + e.getKey());
        }
        for (String lost : tail) {
            assertFalse(onOldLeader.containsValue(lost), lost + " was never replicated and is cut");
        }
        await().atMost(WAIT).until(() -> STORES[0].partition(tp).orElseThrow().isr().containsAll(List.of(1, 2, 3)));
    }

    /**
     * Kafka's KIP-279 case: a follower whose tail was written at an epoch the leader never saw
     * truncates to its own end of the largest epoch the leader has, not to the leader's end of it.
     */
    @Test
    void aFollowerCutsATailFromAnEpochTheLeaderNeverSaw() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2), List.of(1, 2), 1);
        awaitLeader(1, tp, 0);
        appendAll(1, tp, 5, true);
        awaitIdentical(tp, 1, 2);
        long committedEnd = node(1).log(tp).logEndOffset();

        node(2).stop();
        PartitionState e1 = moveLeader(tp, 1, List.of(1));
        awaitLeader(1, tp, e1.leaderEpoch());
        appendAll(1, tp, 4, false);

        node(1).stop();
        node(2).start();
        PartitionState e2 = moveLeader(tp, 2, List.of(2));
        awaitLeader(2, tp, e2.leaderEpoch());
        appendAll(2, tp, 2, false); // a shorter tail at an epoch broker 1 never sees

        node(2).stop();
        node(1).start();
        PartitionState e3 = moveLeader(tp, 1, List.of(1));
        awaitLeader(1, tp, e3.leaderEpoch());
        long leaderEnd = node(1).log(tp).logEndOffset();
        assertTrue(leaderEnd > committedEnd);

        // Before the new leader wrote at its epoch: the end of epoch 2 (which it never had) is where its
        // epoch 3 starts, as Kafka's leader, whose epoch cache holds its own epoch from the election on.
        try (ReplicationClient asking = new ReplicationClient(vertx, ReplicationClient.Options.defaults("127.0.0.1"),
                "127.0.0.1", STORES[0].brokers().get(1).replicationPort())) {
            EpochEnd end = asking.epochEnd(new EpochEndRequest(2, List.of(new EpochQuery(tp, e3.leaderEpoch(),
                    e2.leaderEpoch())))).get(10, TimeUnit.SECONDS).partitions().get(0);
            assertEquals(new EpochEnd(tp, null, e1.leaderEpoch(), leaderEnd), end);
        }
        appendAll(1, tp, 1, false);
        node(2).start();
        awaitIdentical(tp, 1, 2);
        assertEquals(node(1).log(tp).epochs().entries(), node(2).log(tp).epochs().entries());
        assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(e1.leaderEpoch(), committedEnd),
                new EpochEntry(e3.leaderEpoch(), leaderEnd)), node(2).log(tp).epochs().entries());
    }

    /**
     * Leadership moves between in-sync replicas (as the controller moves it) while appends are in
     * flight on the leader and on its followers: no record acknowledged with acks=all is lost or
     * moved, and the logs end identical.
     */
    @Test
    void leadershipMovingUnderLoadLosesNoAcknowledgedRecord() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        List<Throwable> unexpected = new CopyOnWriteArrayList<>();
        Set<ErrorCode> expected = Set.of(ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_ENOUGH_REPLICAS,
                ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, ErrorCode.LEADER_NOT_AVAILABLE);
        List<CompletableFuture<?>> all = new ArrayList<>();
        int leader = 1;
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < 20; i++) {
                String value = "r" + round + "-" + i + "-" + random.nextLong();
                all.add(node(leader).manager().appendAsLeader(tp, batch(value), true).handle((info, e) -> {
                    if (e == null) {
                        acknowledged.put(info.baseOffset(), value);
                    } else if (!(SluiceException.causeOf(e) instanceof SluiceException s
                            && expected.contains(s.code())) || stranded(e)) {
                        unexpected.add(e);
                    }
                    return null;
                }));
            }
            PartitionState current = STORES[0].partition(tp).orElseThrow();
            List<Integer> isr = current.isr();
            int next = isr.get(random.nextInt(isr.size()));
            PartitionState moved = moveLeader(tp, next, isr);
            leader = moved.leader();
            awaitLeader(leader, tp, moved.leaderEpoch());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        acknowledged.putAll(appendAll(leader, tp, 3, true));
        await().atMost(WAIT).until(() -> STORES[0].partition(tp).orElseThrow().isr().size() == 3);
        awaitIdentical(tp, 1, 2, 3);
        assertEquals(List.of(), unexpected);
        assertTrue(acknowledged.size() > 3, "some appends were acknowledged while leadership moved");
        for (int id = 1; id <= 3; id++) {
            Map<Long, String> onBroker = ReplicaLogs.values(node(id).log(tp));
            for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                assertEquals(e.getValue(), onBroker.get(e.getKey()), "acknowledged offset " + e.getKey() + " on " + id);
            }
        }
    }

    /**
     * An append whose leadership moved while it was written, answered only at the ack timeout: the
     * resign failed the waiters it found, and this one was registered just after.
     */
    private static boolean stranded(Throwable e) {
        return String.valueOf(SluiceException.causeOf(e).getMessage()).contains("not confirmed by the in-sync replicas");
    }

    /**
     * New epochs of the same leader while its followers append without pause: each follower's role
     * change lands behind a fetched append completing on the log's writer thread, and must not run
     * (and wait for the writer) there.
     */
    @Test
    void epochChangesWhileFollowersAppendNeitherStallNorDiverge() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        AtomicBoolean producing = new AtomicBoolean(true);
        Random producerRandom = new Random(random.nextLong());
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            while (producing.get()) {
                List<Record> records = List.of(new Record(null, new byte[1 + producerRandom.nextInt(200)], 1_000,
                        List.of()));
                node(1).manager().appendAsLeader(tp, RecordBatchBuilder.build(records), false)
                        .exceptionally(e -> null).join();
            }
        });
        closeAfter.add(() -> producing.set(false));
        for (int bump = 0; bump < 20; bump++) {
            PartitionState moved = moveLeader(tp, 1, List.of(1, 2, 3));
            awaitLeader(1, tp, moved.leaderEpoch());
        }
        producing.set(false);
        producer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        appendAll(1, tp, 2, true);
        awaitIdentical(tp, 1, 2, 3);
    }

    // ---- 5. fencing -----------------------------------------------------------------------------

    @Test
    void aFollowerAtAnOlderEpochIsFencedAndRefreshesItsState() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        appendAll(1, tp, 3, true);

        node(3).deaf = true; // it will not hear of the next epoch but through its leader's answers
        PartitionState bumped = moveLeader(tp, 1, List.of(1, 2, 3));
        awaitLeader(1, tp, bumped.leaderEpoch());
        try (ReplicationClient asking = new ReplicationClient(vertx, ReplicationClient.Options.defaults("127.0.0.1"),
                "127.0.0.1", STORES[0].brokers().get(1).replicationPort())) {
            FetchedPartition fenced = asking.fetch(new FetchRequest(3, 0, 1024, List.of(new FetchPartition(tp, 0, 0,
                    0, 0)))).get(10, TimeUnit.SECONDS).partitions().get(0);
            assertEquals(ErrorCode.FENCED_LEADER_EPOCH.name(), fenced.error().code());
        }
        await().atMost(WAIT).until(() -> node(3).manager().replica(tp).followedEpoch == bumped.leaderEpoch());
        appendAll(1, tp, 3, true);
        awaitIdentical(tp, 1, 2, 3);
        node(3).deaf = false;
    }

    @Test
    void aDeposedLeaderThatHasNotHeardDoesNotAdvanceItsHighWatermark() throws Exception {
        TopicPartition tp = createPartition(List.of(1, 2, 3), List.of(1, 2, 3), 2);
        awaitLeader(1, tp, 0);
        appendAll(1, tp, 3, true);
        awaitIdentical(tp, 1, 2, 3);
        PartitionLog old = node(1).log(tp);
        long hwBefore = old.highWatermark();

        node(1).deaf = true;
        PartitionState moved = moveLeader(tp, 2, List.of(2, 3));
        awaitLeader(2, tp, moved.leaderEpoch());
        await().atMost(WAIT).until(() -> node(3).manager().replica(tp).followedLeader == 2);
        AtomicLong highest = new AtomicLong(hwBefore);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        closeAfter.add(sampler::shutdownNow);
        sampler.scheduleWithFixedDelay(() -> highest.accumulateAndGet(old.highWatermark(), Math::max), 0, 1,
                TimeUnit.MILLISECONDS);
        CompletableFuture<AppendInfo> stale = node(1).manager().appendAsLeader(tp, batch("from-the-past"), true);
        assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, codeOf(stale),
                "its failed ISR shrink taught it that it no longer leads");
        sampler.shutdownNow();
        assertEquals(hwBefore, highest.get(), "no follower position counted for the deposed leader");
        node(1).deaf = false;

        appendAll(2, tp, 3, true);
        awaitIdentical(tp, 1, 2, 3);
        assertFalse(ReplicaLogs.values(node(1).log(tp)).containsValue("from-the-past-0"));
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static ReplicaNode node(int id) {
        return NODES[id - 1];
    }

    private TopicPartition createPartition(List<Integer> replicas, List<Integer> isr, int minIsr) {
        TopicPartition tp = new TopicPartition(topic, 0);
        assertTrue(STORES[0].createPartition(new PartitionState(topic, "id-" + topic, 0, replicas.get(0), 0, 0,
                replicas, isr, List.of())));
        for (int id : replicas) {
            node(id).hold(tp, minIsr);
        }
        return tp;
    }

    private static void awaitLeader(int id, TopicPartition tp, int epoch) {
        await().atMost(WAIT).until(() -> node(id).manager().leaderEpochIfLeading(tp) == epoch);
    }

    /** A conditional write of a new leader, retried over ISR changes the current leader writes meanwhile. */
    private static PartitionState moveLeader(TopicPartition tp, int leader, List<Integer> isr) {
        PartitionState[] written = new PartitionState[1];
        await().atMost(WAIT).until(() -> {
            PartitionState current = STORES[0].partition(tp).orElseThrow();
            PartitionState next = current.withLeader(leader, isr);
            if (STORES[0].compareAndSet(current, next)) {
                written[0] = next;
                return true;
            }
            return false;
        });
        return written[0];
    }

    private ByteBuffer batch(String... values) {
        List<Record> records = new ArrayList<>();
        for (String v : values) {
            byte[] padding = new byte[random.nextInt(200)];
            random.nextBytes(padding);
            records.add(new Record(padding, v.getBytes(StandardCharsets.UTF_8), 1_000 + random.nextInt(1000),
                    List.of()));
        }
        return RecordBatchBuilder.build(records);
    }

    /** Appends {@code count} batches of one to three records each; returns the offsets and values written. */
    private Map<Long, String> appendAll(int leader, TopicPartition tp, int count, boolean acksAll) throws Exception {
        Map<Long, String> written = new HashMap<>();
        for (int i = 0; i < count; i++) {
            String[] values = new String[1 + random.nextInt(3)];
            for (int j = 0; j < values.length; j++) {
                values[j] = tp + "-" + leader + "-" + acksAll + "-" + random.nextLong();
            }
            AppendInfo info = node(leader).manager().appendAsLeader(tp, batch(values), acksAll)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (int j = 0; j < values.length; j++) {
                written.put(info.baseOffset() + j, values[j]);
            }
        }
        return written;
    }

    private static ErrorCode codeOf(CompletableFuture<?> f) {
        CompletionException e = assertThrows(CompletionException.class,
                () -> f.orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join());
        return assertInstanceOf(SluiceException.class, SluiceException.causeOf(e)).code();
    }

    /** Waits until every named replica has the same log end, that end as HW, and the same bytes. */
    private static void awaitIdentical(TopicPartition tp, int... ids) {
        await().atMost(WAIT).until(() -> {
            PartitionLog first = node(ids[0]).log(tp);
            long end = first.logEndOffset();
            for (int id : ids) {
                PartitionLog log = node(id).log(tp);
                if (log.logEndOffset() != end || log.highWatermark() != end) {
                    return false;
                }
            }
            return true;
        });
        PartitionLog first = node(ids[0]).log(tp);
        List<byte[]> expected = ReplicaLogs.batchesBelow(first, first.highWatermark());
        for (int id : ids) {
            List<byte[]> actual = ReplicaLogs.batchesBelow(node(id).log(tp), first.highWatermark());
            assertEquals(expected.size(), actual.size(), "batches on broker " + id);
            for (int i = 0; i < expected.size(); i++) {
                assertTrue(Arrays.equals(expected.get(i), actual.get(i)), "batch " + i + " on broker " + id);
            }
            ReplicaLogs.values(node(id).log(tp)); // offsets dense from the start
        }
    }
}
