package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Admin requests against the fixture store: validation first, and nothing written on a refusal. */
class ClusterAdminTest {
    private InMemoryMetadataStoreFixture cluster;
    private MetadataStore store;
    private ClusterAdmin admin;
    private final ClusterTopic topic = new ClusterTopic("orders", "id-orders", 2, 3, Map.of(), 0L);

    @BeforeEach
    void setUp() {
        cluster = new InMemoryMetadataStoreFixture();
        for (int id = 1; id <= 5; id++) {
            cluster.join(id, null);
        }
        store = cluster.store(2);
        admin = new ClusterAdmin(store);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        cluster.close();
    }

    private void placed() {
        admin.createTopic(topic);
        store.createPartition(PartitionState.initial("orders", "id-orders", 0, List.of(1, 2, 3)));
        store.createPartition(PartitionState.initial("orders", "id-orders", 1, List.of(2, 3, 1)));
    }

    private void refused(ErrorCode code, String fragment, Executable request) {
        var before = List.copyOf(store.partitions());
        SluiceException e = assertThrows(SluiceException.class, request);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertEquals(toMap(before), toMap(store.partitions()), "nothing written");
    }

    private static Map<TopicPartition, PartitionState> toMap(Collection<PartitionState> states) {
        return states.stream().collect(Collectors.toMap(PartitionState::key, s -> s));
    }

    @Test
    void createTopicRefusesAReplicationFactorAboveTheRegisteredBrokers() {
        refused(ErrorCode.INVALID_REQUEST, "replication factor 6",
                () -> admin.createTopic(new ClusterTopic("big", "id-big", 1, 6, Map.of(), 0L)));
        refused(ErrorCode.INVALID_REQUEST, "replication factor 0",
                () -> admin.createTopic(new ClusterTopic("none", "id-none", 1, 0, Map.of(), 0L)));
        refused(ErrorCode.INVALID_PARTITIONS, "at least 1 partition",
                () -> admin.createTopic(new ClusterTopic("empty", "id-empty", 0, 1, Map.of(), 0L)));
        assertEquals(Map.of(), store.topics());
    }

    @Test
    void createTopicAcceptsFiveReplicasWithOneBrokerDownAndRefusesTheSameNameTwice() {
        cluster.kill(5);
        admin.createTopic(new ClusterTopic("wide", "id-wide", 1, 5, Map.of(), 0L));
        refused(ErrorCode.TOPIC_ALREADY_EXISTS, "wide",
                () -> admin.createTopic(new ClusterTopic("wide", "id-other", 1, 1, Map.of(), 0L)));
        assertEquals("id-wide", store.topics().get("wide").id());
    }

    @Test
    void reassignmentTargetsAreValidatedBeforeAnythingIsWritten() {
        placed();
        cluster.kill(5);
        refused(ErrorCode.TOPIC_NOT_FOUND, "nope", () -> admin.requestReassignment("nope", Map.of(0, List.of(1, 2, 3))));
        refused(ErrorCode.INVALID_REQUEST, "at least one", () -> admin.requestReassignment("orders", Map.of()));
        refused(ErrorCode.PARTITION_NOT_FOUND, "no partition 2",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(2, 3, 4), 2, List.of(1, 2, 3))));
        refused(ErrorCode.INVALID_REQUEST, "replication factor",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(2, 3))));
        refused(ErrorCode.INVALID_REQUEST, "twice",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(2, 3, 2))));
        refused(ErrorCode.INVALID_REQUEST, "broker 9 is not a broker",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(2, 3, 4), 1, List.of(1, 2, 9))));
        refused(ErrorCode.INVALID_REQUEST, "broker 5 is not alive",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(2, 3, 4), 1, List.of(5, 2, 3))));
    }

    @Test
    void aTopicGrowsButNeverShrinks() {
        admin.createTopic(topic);
        refused(ErrorCode.INVALID_PARTITIONS, "only grow", () -> admin.growPartitions("orders", 2));
        refused(ErrorCode.TOPIC_NOT_FOUND, "nope", () -> admin.growPartitions("nope", 4));
        admin.growPartitions("orders", 5);
        ClusterTopic grown = store.topics().get("orders");
        assertEquals(5, grown.partitions());
        assertEquals(topic.id(), grown.id());
        assertEquals(topic.replicationFactor(), grown.replicationFactor());
    }

    @Test
    void aPartitionNotPlacedYetIsRefusedAsRetriable() {
        admin.createTopic(topic);
        refused(ErrorCode.LEADER_NOT_AVAILABLE, "not been placed",
                () -> admin.requestReassignment("orders", Map.of(0, List.of(3, 4, 5))));
    }

    @Test
    void aRequestWritesTheTargetOnceAndShowsInTheProgress() {
        placed();
        admin.requestReassignment("orders", Map.of(0, List.of(3, 4, 5)));
        PartitionState s = store.partition(new TopicPartition("orders", 0)).orElseThrow();
        assertEquals(List.of(3, 4, 5), s.targetReplicas());
        assertEquals(List.of(1, 2, 3), s.replicas(), "the controller expands, not the request");
        assertEquals(1, s.partitionEpoch());
        admin.requestReassignment("orders", Map.of(0, List.of(3, 4, 5)));
        admin.requestReassignment("orders", Map.of(1, List.of(2, 3, 1)));
        assertEquals(1, store.partition(new TopicPartition("orders", 0)).orElseThrow().partitionEpoch(),
                "the same target again writes nothing");
        assertEquals(0, store.partition(new TopicPartition("orders", 1)).orElseThrow().partitionEpoch(),
                "the current replicas as the target write nothing");

        List<ReassignmentProgress> progress = admin.reassignmentProgress("orders");
        assertEquals(2, progress.size());
        assertEquals(List.of(4, 5), progress.get(0).adding());
        assertEquals(List.of(1, 2), progress.get(0).removing());
        assertTrue(progress.get(0).inProgress());
        assertFalse(progress.get(1).inProgress());
    }
}
