package io.sluice.broker;

import static io.sluice.broker.InJvmCluster.ReplicationPorts.FIXED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.GroupDescription;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetReset;
import io.sluice.group.OffsetsTopic;
import io.sluice.group.PartitionLag;
import io.sluice.replication.FrameDescriptor;
import io.sluice.replication.FrameType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups on three brokers in one JVM (real JGroups, real inter-broker protocol on
 * 127.0.0.1): members heartbeat through different brokers and reach the one coordinator, commits
 * are forwarded to it and read on every broker, and when the coordinator's broker goes away
 * another takes the group over from {@code __consumer_offsets}: members rejoin and no committed
 * offset goes backwards.
 */
class ClusterGroupsTest {
    private static final int BROKERS = 3;
    private static final String GROUP = "billing";
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @AutoClose private final InJvmCluster cluster = new InJvmCluster(() -> dir, BROKERS, FIXED);
    private final Broker[] brokers = cluster.brokers();

    /** Every member heartbeats once through its broker; true when the assignment is disjoint and complete. */
    private static boolean settled(MemberDriver[] members, Broker[] via) {
        Set<TopicPartition> all = new HashSet<>();
        int owned = 0;
        boolean ok = true;
        for (int i = 0; i < members.length; i++) {
            ok &= members[i].heartbeat(via[i]);
            owned += members[i].owned().size();
            all.addAll(members[i].owned());
        }
        return ok && owned == PARTITIONS && all.size() == PARTITIONS
                && all.stream().allMatch(tp -> tp.topic().equals(TOPIC));
    }

    private static Map<TopicPartition, Long> offsets(Map<TopicPartition, CommittedOffset> committed) {
        return SingleBrokerGroupsTest.offsets(committed);
    }

    private static SluiceException failure(Runnable call) {
        return assertThrows(SluiceException.class, () -> {
            try {
                call.run();
            } catch (CompletionException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void membersOnEveryBrokerShareOneCoordinatorWhichAnotherBrokerTakesOverWithoutLosingACommit() {
        cluster.startAll(WAIT);
        brokers[0].createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        MemberDriver[] members = {new MemberDriver(GROUP, TOPIC), new MemberDriver(GROUP, TOPIC),
                new MemberDriver(GROUP, TOPIC)};
        Broker[] via = brokers.clone();
        await().atMost(WAIT).until(() -> settled(members, via));

        Topic internal = brokers[1].topic(OffsetsTopic.NAME);
        assertEquals(OffsetsTopic.PARTITIONS, internal.partitionCount());
        assertEquals(3, internal.metadata().replicationFactor());
        assertEquals("2", internal.metadata().config().overrides().get("min.insync.replicas"));

        // each member commits what it owns through its own broker: two of the three are forwarded
        Map<TopicPartition, Long> expected = new HashMap<>();
        for (int i = 0; i < BROKERS; i++) {
            Map<TopicPartition, Long> mine = new HashMap<>();
            members[i].owned().forEach(tp -> mine.put(tp, 10L + tp.partition()));
            brokers[i].commitOffsets(new OffsetCommit(GROUP, members[i].memberId(), members[i].epoch(), mine, ""))
                    .join();
            expected.putAll(mine);
        }
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> expected.equals(offsets(b.committedOffsets(GROUP))));
        }
        GroupDescription described = brokers[2].describeGroup(GROUP).join();
        assertEquals(3, described.members().size());
        assertTrue(brokers[1].listGroups().join().stream().anyMatch(g -> g.groupId().equals(GROUP)));

        // the internal topic stays the brokers' own in a cluster too
        List<ProduceRecord> record = List.of(new ProduceRecord(0, "k".getBytes(StandardCharsets.UTF_8), null, null,
                List.of()));
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> brokers[2].produce(OffsetsTopic.NAME, record, Acks.ALL,
                null).join()).code());
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> brokers[1].deleteTopic(OffsetsTopic.NAME)).code());

        // the coordinator's broker goes away
        int partition = GroupCoordinator.partitionFor(GROUP);
        int coordinator = brokers[0].partitionInfo(OffsetsTopic.NAME, partition).leader();
        int survivor = (coordinator + 1) % BROKERS;
        brokers[coordinator].close();
        brokers[coordinator] = null;
        via[coordinator] = brokers[survivor]; // its member reconnects elsewhere, as a client would
        int[] rejoinsBefore = new int[BROKERS];
        for (int i = 0; i < BROKERS; i++) {
            rejoinsBefore[i] = members[i].rejoins();
        }
        await().atMost(WAIT).until(() -> {
            for (Broker b : brokers) {
                if (b != null) {
                    offsets(b.committedOffsets(GROUP)).forEach((tp, o) -> assertTrue(o >= expected.get(tp),
                            () -> tp + " went back from " + expected.get(tp) + " to " + o));
                }
            }
            return settled(members, via);
        });
        int newCoordinator = brokers[survivor].partitionInfo(OffsetsTopic.NAME, partition).leader();
        assertNotEquals(coordinator, newCoordinator);
        for (int i = 0; i < BROKERS; i++) {
            assertTrue(members[i].rejoins() > rejoinsBefore[i], "member " + i + " was unknown to the new coordinator");
        }
        for (Broker b : brokers) {
            if (b != null) {
                assertEquals(expected, offsets(b.committedOffsets(GROUP)), "replayed from " + OffsetsTopic.NAME);
            }
        }

        // the new coordinator takes commits, forwarded or not, and they reach both survivors
        for (int i = 0; i < BROKERS; i++) {
            Map<TopicPartition, Long> mine = new HashMap<>();
            members[i].owned().forEach(tp -> mine.put(tp, 20L + tp.partition()));
            via[i].commitOffsets(new OffsetCommit(GROUP, members[i].memberId(), members[i].epoch(), mine, "")).join();
            expected.putAll(mine);
        }
        for (Broker b : brokers) {
            if (b != null) {
                await().atMost(WAIT).until(() -> expected.equals(offsets(b.committedOffsets(GROUP))));
            }
        }

        // the old coordinator returns, catches up and leads its partitions again (the preferred leader):
        // it replays what the interim coordinator committed, and the group moves back without a loss
        brokers[coordinator] = cluster.open(coordinator);
        via[coordinator] = brokers[coordinator];
        await().atMost(WAIT).until(() -> brokers[coordinator].partitionInfo(OffsetsTopic.NAME, partition).leader()
                == coordinator);
        await().atMost(WAIT).until(() -> {
            for (Broker b : brokers) {
                offsets(b.committedOffsets(GROUP)).forEach((tp, o) -> assertTrue(o >= expected.get(tp),
                        () -> tp + " went back from " + expected.get(tp) + " to " + o));
            }
            return settled(members, via);
        });
        for (int i = 0; i < BROKERS; i++) {
            Map<TopicPartition, Long> mine = new HashMap<>();
            members[i].owned().forEach(tp -> mine.put(tp, 30L + tp.partition()));
            via[i].commitOffsets(new OffsetCommit(GROUP, members[i].memberId(), members[i].epoch(), mine, "")).join();
            expected.putAll(mine);
        }
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> expected.equals(offsets(b.committedOffsets(GROUP))));
        }
    }

    @Test
    void theOffsetsTopicWaitsForTheBrokersTheSeedListNames() {
        brokers[0] = cluster.open(0);
        brokers[0].createTopic(TOPIC, 3, 1, Map.of());
        MemberDriver member = new MemberDriver(GROUP, TOPIC);
        assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, failure(() -> brokers[0].commitOffsets(new OffsetCommit(
                GROUP, "nobody", 1, Map.of(tp(0), 1L), "")).join()).code());
        member.heartbeat(brokers[0]);
        assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.lastError().code());
        assertThrows(SluiceException.class, () -> brokers[0].topic(OffsetsTopic.NAME),
                "not created with one replica while the seed list names three brokers");

        cluster.openInParallel(1, BROKERS);
        await().atMost(WAIT).until(() -> member.heartbeat(brokers[0]));
        assertEquals(3, brokers[2].topic(OffsetsTopic.NAME).metadata().replicationFactor());
    }

    @Test
    void aGroupFrameWithALyingLengthIsRefusedAndTheListenerGoesOnServingGroups() throws IOException {
        cluster.startAll(WAIT);
        brokers[0].createTopic(TOPIC, 1, 3, Map.of());
        MemberDriver member = new MemberDriver(GROUP, TOPIC);
        await().atMost(WAIT).until(() -> member.heartbeat(brokers[1]) && member.owned().size() == 1);

        byte[] group = "billing".getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[40];
        ByteBuffer frame = ByteBuffer.allocate(FrameDescriptor.HEADER_LENGTH + 4 + 2 + group.length + 4 + 4
                + payload.length);
        frame.putInt(frame.capacity() - FrameDescriptor.LENGTH_LENGTH).put(FrameDescriptor.VERSION_1)
                .put(FrameType.GROUP.code()).putInt(77).putInt(GroupPayloads.OP_DESCRIBE).putShort((short) group.length)
                .put(group).putInt(5_000).putInt(1 << 30).put(payload); // the payload claims a GiB, 40 bytes follow
        byte[] reply;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), cluster.replicationPort(2))) {
            socket.getOutputStream().write(frame.array());
            socket.getOutputStream().flush();
            reply = readUntilClosed(socket);
        }
        assertTrue(reply.length > FrameDescriptor.HEADER_LENGTH, "an ERROR reply before the close");
        assertEquals(FrameType.ERROR.code(), reply[FrameDescriptor.TYPE_OFFSET]);
        assertEquals(77, ByteBuffer.wrap(reply).getInt(FrameDescriptor.CORRELATION_ID_OFFSET));

        // every broker still reaches the coordinator, wherever it is
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> member.heartbeat(b));
            assertEquals(1, b.describeGroup(GROUP).join().members().size());
        }
    }

    @Test
    void resetsResolveOnEachPartitionsLeaderAndOnlyAnEmptyGroupIsResetOrDeleted() {
        cluster.startAll(WAIT);
        brokers[0].createTopic(TOPIC, 3, 3, Map.of("min.insync.replicas", "2"));
        long before = System.currentTimeMillis();
        for (int p = 0; p < 3; p++) {
            List<ProduceRecord> records = new ArrayList<>();
            for (int i = 0; i <= p; i++) {
                records.add(new ProduceRecord(p, null, ("v" + i).getBytes(StandardCharsets.UTF_8), before + i,
                        List.of()));
            }
            brokers[1].produce(TOPIC, records, Acks.ALL, null).join();
        }
        MemberDriver member = new MemberDriver(GROUP, TOPIC);
        await().atMost(WAIT).until(() -> member.heartbeat(brokers[2]) && member.owned().size() == 3);
        assertEquals(ErrorCode.GROUP_NOT_EMPTY, failure(() -> brokers[0].resetGroupOffsets(GROUP, TOPIC,
                new OffsetReset.Earliest(), null).join()).code());
        assertEquals(ErrorCode.GROUP_NOT_EMPTY, failure(() -> brokers[1].deleteGroup(GROUP).join()).code());
        member.leave(brokers[2]);

        // every broker leads one partition of three: each reset is resolved on three leaders
        Map<TopicPartition, Long> latest = offsets(brokers[0].resetGroupOffsets(GROUP, TOPIC, new OffsetReset.Latest(),
                null).join());
        assertEquals(Map.of(tp(0), 1L, tp(1), 2L, tp(2), 3L), latest);
        assertEquals(Map.of(tp(0), 0L, tp(1), 0L, tp(2), 0L), offsets(brokers[1].resetGroupOffsets(GROUP, TOPIC,
                new OffsetReset.Earliest(), null).join()));
        assertEquals(Map.of(tp(1), 1L, tp(2), 1L), offsets(brokers[2].resetGroupOffsets(GROUP, TOPIC,
                new OffsetReset.ToTimestamp(before + 1), List.of(1, 2)).join()), "partition 0 has nothing that late");
        assertEquals(Map.of(tp(2), 3L), offsets(brokers[0].resetGroupOffsets(GROUP, TOPIC,
                new OffsetReset.ToOffset(99), List.of(2)).join()), "clamped to the high watermark");
        Map<TopicPartition, Long> now = Map.of(tp(0), 0L, tp(1), 1L, tp(2), 3L);
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> now.equals(offsets(b.committedOffsets(GROUP))));
        }
        assertEquals(ErrorCode.PARTITION_NOT_FOUND, failure(() -> brokers[0].resetGroupOffsets(GROUP, TOPIC,
                new OffsetReset.Earliest(), List.of(3)).join()).code());

        // a topic with one replica per partition: the coordinator holds at most one of them, and
        // describe asks the other partitions' leaders for their ends
        brokers[0].createTopic("audit", 3, 1, Map.of());
        for (int p = 0; p < 3; p++) {
            List<ProduceRecord> records = new ArrayList<>();
            for (int i = 0; i < 2 + p; i++) {
                records.add(new ProduceRecord(p, null, new byte[] {(byte) i}, null, List.of()));
            }
            brokers[0].produce("audit", records, Acks.ALL, null).join();
        }
        brokers[1].resetGroupOffsets(GROUP, "audit", new OffsetReset.Earliest(), null).join();
        GroupDescription d = brokers[1].describeGroup(GROUP).join();
        for (int p = 0; p < 3; p++) {
            int partition = p;
            PartitionLag lag = d.offsets().stream()
                    .filter(l -> l.topic().equals("audit") && l.partition() == partition).findFirst().orElseThrow();
            assertEquals(new PartitionLag("audit", p, 0, 2 + p, 2 + p), lag);
        }

        brokers[2].deleteGroup(GROUP).join();
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> b.committedOffsets(GROUP).isEmpty());
        }
        assertEquals(ErrorCode.GROUP_NOT_FOUND, failure(() -> brokers[1].describeGroup(GROUP).join()).code());
    }

    private static TopicPartition tp(int partition) {
        return new TopicPartition(TOPIC, partition);
    }

    private static byte[] readUntilClosed(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                got.write(chunk, 0, n);
            }
        } catch (SocketException reset) {
            // a reset is a close too
        }
        return got.toByteArray();
    }
}
