package io.sluice.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default broker: no seeds, no DNS query, a local cache manager with the same persistence. */
class SingleBrokerStoreTest {
    private static final ClusterTopic ORDERS = new ClusterTopic("orders", "id-orders", 1, 1,
            Map.of("retention.ms", "1000"), 1_000L);
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    @TempDir
    Path dir;

    private ClusterConfig config() {
        return ClusterConfig.of("single", 7, dir);
    }

    @Test
    void aSingleBrokerIsItsOwnControllerAndPersistsAcrossARestart() {
        PartitionState initial = PartitionState.initial("orders", "id-orders", 0, List.of(7));
        PartitionState next = initial.withLeader(7, List.of(7));
        String clusterId;
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertTrue(config().isSingleBroker());
            List<String> events = new CopyOnWriteArrayList<>();
            s.addListener(new MetadataListener() {
                @Override
                public void topicChanged(String topic) {
                    events.add("topic " + topic);
                }

                @Override
                public void partitionChanged(TopicPartition partition) {
                    events.add("partition " + partition);
                }
            });
            s.register(new BrokerInfo(7, "127.0.0.1", 8080, "127.0.0.1", 9093, "rack-a"));
            assertEquals(Set.of(7), s.liveBrokers());
            assertEquals(7, s.controllerId());
            assertTrue(s.isController());
            assertTrue(s.isAvailable());
            assertTrue(s.createTopic(ORDERS));
            assertTrue(s.createPartition(initial));
            assertFalse(s.createPartition(initial));
            assertTrue(s.compareAndSet(initial, next));
            assertFalse(s.compareAndSet(initial, next), "the expected state is gone");
            await().until(() -> events.containsAll(List.of("topic orders", "partition orders-0")));
            clusterId = s.clusterId();
        }
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertEquals(Map.of("orders", ORDERS), s.topics());
            assertEquals(Optional.of(next), s.partition(ORDERS_0));
            assertEquals("rack-a", s.brokers().get(7).rack());
            assertEquals(clusterId, s.clusterId());
        }
    }

    @Test
    void compareAndSetRefusesAnythingButTheNextVersion() {
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            PartitionState initial = PartitionState.initial("orders", "id-orders", 0, List.of(7, 8));
            assertTrue(s.createPartition(initial));
            PartitionState sameEpoch = new PartitionState("orders", "id-orders", 0, 8, 1, 0, List.of(7, 8),
                    List.of(8), List.of());
            assertFalse(s.compareAndSet(initial, sameEpoch), "partition epoch must move by one");
            PartitionState lowerLeaderEpoch = new PartitionState("orders", "id-orders", 0, 8, -1, 1, List.of(7, 8),
                    List.of(8), List.of());
            assertFalse(s.compareAndSet(initial, lowerLeaderEpoch), "leader epoch must not go back");
            PartitionState otherTopicId = new PartitionState("orders", "id-other", 0, 8, 1, 1, List.of(7, 8),
                    List.of(8), List.of());
            assertFalse(s.compareAndSet(initial, otherTopicId));
            assertEquals(Optional.of(initial), s.partition(initial.key()));
            assertTrue(s.removePartition(initial));
            assertEquals(Optional.empty(), s.partition(initial.key()));
        }
    }

    @Test
    void aDeletedTopicIdStaysDeleted() {
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertTrue(s.createTopic(ORDERS));
            assertFalse(s.removeTopic(new ClusterTopic("orders", "id-orders", 2, 1, Map.of(), 1_000L)),
                    "not the stored topic");
            assertTrue(s.removeTopic(ORDERS));
            assertThrows(IllegalArgumentException.class, () -> s.createTopic(ORDERS));
            assertTrue(s.createTopic(new ClusterTopic("orders", "id-orders-2", 1, 1, Map.of(), 2_000L)));
        }
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertEquals("id-orders-2", s.topics().get("orders").id());
        }
    }

    @Test
    void aDamagedSnapshotIsSetAsideAndReported() throws IOException {
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertTrue(s.createTopic(ORDERS));
        }
        Path file = dir.resolve("cluster").resolve(MetadataSnapshot.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(file, bytes);
        try (InfinispanMetadataStore s = InfinispanMetadataStore.open(config())) {
            assertNull(s.topics().get("orders"));
        }
        try (var listing = Files.list(dir.resolve("cluster"))) {
            assertTrue(listing.anyMatch(p -> p.getFileName().toString().startsWith(MetadataSnapshot.FILE_NAME
                    + ".damaged-")));
        }
    }
}
