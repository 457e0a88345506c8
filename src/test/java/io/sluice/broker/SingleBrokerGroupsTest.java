package io.sluice.broker;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.AssignmentStrategy;
import io.sluice.group.CommittedOffset;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetsTopic;
import io.sluice.group.RebalanceProtocol;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups on a broker alone: {@code __consumer_offsets} is created locally on the first use
 * of a group, with the layout groups need, refused to clients' writes; commits survive a restart
 * (the coordinator replays the topic into the offsets cache when it leads again).
 */
class SingleBrokerGroupsTest {
    private static final String GROUP = "billing";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    private Broker broker;

    private Broker start() throws IOException {
        broker = new Broker(BrokerConfig.defaults(dataDir).withMaintenanceIntervalMs(200));
        return broker;
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static MemberHeartbeat join(String topic) {
        return new MemberHeartbeat(GROUP, null, MemberHeartbeat.JOIN_EPOCH, "127.0.0.1", List.of(topic),
                AssignmentStrategy.STICKY, RebalanceProtocol.COOPERATIVE, Set.of(), 30_000);
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
    void theOffsetsTopicIsCreatedOnFirstUseAndClientsMayReadItButNotChangeIt() throws IOException {
        start().createTopic("orders", 2, 1, Map.of());
        assertThrows(SluiceException.class, () -> broker.topic(OffsetsTopic.NAME), "no group used yet");
        assertEquals(List.of(), broker.listGroups().join(), "listing creates nothing");
        assertEquals(ErrorCode.GROUP_NOT_FOUND, failure(() -> broker.describeGroup(GROUP).join()).code());
        assertThrows(SluiceException.class, () -> broker.topic(OffsetsTopic.NAME), "asking about a group creates nothing");

        broker.heartbeat(join("orders")).exceptionally(e -> null).join();
        Topic offsets = broker.topic(OffsetsTopic.NAME);
        assertEquals(OffsetsTopic.PARTITIONS, offsets.partitionCount());
        assertEquals(1, offsets.metadata().replicationFactor(), "capped by the one broker there is");
        assertEquals(Map.of("cleanup.policy", "compact", "min.insync.replicas", "1", "remote.storage.enable", "false",
                "segment.bytes", Integer.toString(16 * 1024 * 1024)), offsets.metadata().config().overrides());

        List<ProduceRecord> record = List.of(new ProduceRecord(0, "k".getBytes(StandardCharsets.UTF_8),
                "v".getBytes(StandardCharsets.UTF_8), null, List.of()));
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> broker.produce(OffsetsTopic.NAME, record, Acks.ALL, null)
                .join()).code());
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> broker.deleteTopic(OffsetsTopic.NAME)).code());
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> broker.updateTopicConfig(OffsetsTopic.NAME,
                Map.of("retention.ms", "1000"))).code());
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> broker.addPartitions(OffsetsTopic.NAME, 60)).code());
        assertEquals(ErrorCode.INVALID_TOPIC, failure(() -> broker.createTopic(OffsetsTopic.NAME, 1, 1,
                Map.of())).code(), "creating it is the brokers' business");

        Topic after = broker.topic(OffsetsTopic.NAME);
        assertEquals(OffsetsTopic.PARTITIONS, after.partitionCount(), "nothing changed");
        assertEquals(offsets.metadata(), after.metadata());
        assertTrue(after.logs().stream().allMatch(l -> l.logEndOffset() == 0), "nothing written by the refused produce");
        assertNotNull(broker.fetch(OffsetsTopic.NAME, 0, 0, 10, 1 << 20, 0).join(), "reading it is allowed");
    }

    @Test
    void badGroupIdsAreRefusedBeforeAnythingIsCreated() throws IOException {
        start();
        for (String bad : new String[] {"", "a\u0000b", "x".repeat(256)}) {
            MemberHeartbeat h = new MemberHeartbeat(bad, null, 0, "h", List.of("t"), AssignmentStrategy.RANGE,
                    RebalanceProtocol.EAGER, Set.of(), 30_000);
            assertEquals(ErrorCode.INVALID_GROUP_ID, failure(() -> broker.heartbeat(h).join()).code(), bad);
            assertEquals(ErrorCode.INVALID_GROUP_ID, failure(() -> broker.committedOffsets(bad)).code(), bad);
        }
        assertThrows(SluiceException.class, () -> broker.topic(OffsetsTopic.NAME));
    }

    @Test
    void offsetsCommittedOnABrokerAloneSurviveItsRestart() throws IOException {
        start().createTopic("orders", 2, 1, Map.of());
        MemberDriver member = new MemberDriver(GROUP, "orders");
        await().atMost(WAIT).until(() -> member.heartbeat(broker) && member.owned().size() == 2);

        Map<TopicPartition, CommittedOffset> written = broker.commitOffsets(new OffsetCommit(GROUP, member.memberId(),
                member.epoch(), Map.of(new TopicPartition("orders", 0), 5L, new TopicPartition("orders", 1), 7L),
                "first")).join();
        assertEquals(5L, written.get(new TopicPartition("orders", 0)).offset());
        assertEquals(Map.of(new TopicPartition("orders", 0), 5L, new TopicPartition("orders", 1), 7L),
                offsets(broker.committedOffsets(GROUP)));
        member.leave(broker);
        broker.close();

        start();
        await().atMost(WAIT).until(() -> Map.of(new TopicPartition("orders", 0), 5L, new TopicPartition("orders", 1),
                7L).equals(offsets(broker.committedOffsets(GROUP))));
        MemberDriver back = new MemberDriver(GROUP, "orders");
        await().atMost(WAIT).until(() -> back.heartbeat(broker) && back.owned().size() == 2);
        assertEquals(7L, back.lastCommitted().get(new TopicPartition("orders", 1)).offset(),
                "a member that joins after the restart is handed the committed offsets");
        assertFalse(broker.listGroups().join().isEmpty());
    }

    static Map<TopicPartition, Long> offsets(Map<TopicPartition, CommittedOffset> committed) {
        return committed.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                e -> e.getValue().offset()));
    }
}
