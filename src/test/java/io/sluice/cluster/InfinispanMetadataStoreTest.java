package io.sluice.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real Infinispan over JGroups TCP on 127.0.0.1: several brokers' stores in one JVM. */
class InfinispanMetadataStoreTest {
    private static final ClusterTopic ORDERS = new ClusterTopic("orders", "id-orders", 2, 3,
            Map.of("retention.ms", "60000", "min.insync.replicas", "2"), 1_000L);

    @TempDir
    Path dir;

    @Test
    void threeBrokersSeeTheSameTopicsAndPartitionStates() throws Exception {
        try (ClusterFixture c = new ClusterFixture("same", dir, 3)) {
            c.startAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[2].liveBrokers().equals(Set.of(1, 2, 3)));
            List<String> heardOnThird = new CopyOnWriteArrayList<>();
            c.stores[2].addListener(new MetadataListener() {
                @Override
                public void topicChanged(String topic) {
                    heardOnThird.add("topic " + topic + " on " + Thread.currentThread().getName());
                }

                @Override
                public void partitionChanged(TopicPartition partition) {
                    heardOnThird.add("partition " + partition + " on " + Thread.currentThread().getName());
                }
            });
            assertTrue(c.stores[1].createTopic(ORDERS));
            assertFalse(c.stores[2].createTopic(ORDERS), "a second create of the same name loses");
            PartitionState p0 = PartitionState.initial("orders", "id-orders", 0, List.of(1, 2, 3));
            assertTrue(c.stores[0].createPartition(p0));
            for (InfinispanMetadataStore s : c.stores) {
                assertEquals(ORDERS, s.topics().get("orders"));
                assertEquals(Optional.of(p0), s.partition(new TopicPartition("orders", 0)));
                assertEquals(Set.of(1, 2, 3), s.brokers().keySet());
                assertEquals(1, s.controllerId(), "the first broker started is the coordinator");
                assertTrue(s.isAvailable());
            }
            assertEquals(c.stores[0].clusterId(), c.stores[2].clusterId());
            await().atMost(Duration.ofSeconds(5)).until(() -> heardOnThird.equals(List.of(
                    "topic orders on sluice-metadata-events-3", "partition orders-0 on sluice-metadata-events-3")));
        }
    }

    @Test
    void brokersStartedAtTheSameMomentFormOneCluster() throws Exception {
        try (ClusterFixture c = new ClusterFixture("together", dir, 3)) {
            List<CompletableFuture<InfinispanMetadataStore>> starting = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                int index = i;
                starting.add(CompletableFuture.supplyAsync(() -> c.start(index)));
            }
            for (CompletableFuture<InfinispanMetadataStore> f : starting) {
                f.get();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> java.util.Arrays.stream(c.stores)
                    .allMatch(s -> s.liveBrokers().equals(Set.of(1, 2, 3)) && s.isAvailable()
                            && s.brokers().keySet().equals(Set.of(1, 2, 3))));
            assertTrue(c.stores[2].createTopic(ORDERS));
            await().until(() -> ORDERS.equals(c.stores[0].topics().get("orders")));
            await().until(() -> c.stores[0].clusterId().equals(c.stores[1].clusterId())
                    && c.stores[1].clusterId().equals(c.stores[2].clusterId()));
        }
    }

    @Test
    void concurrentCompareAndSetFromTwoBrokersHasExactlyOneWinner() throws Exception {
        try (ClusterFixture c = new ClusterFixture("cas", dir, 2)) {
            c.startAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[1].liveBrokers().size() == 2);
            c.stores[0].createTopic(ORDERS);
            PartitionState state = PartitionState.initial("orders", "id-orders", 0, List.of(1, 2));
            assertTrue(c.stores[0].createPartition(state));
            await().until(() -> c.stores[1].partition(state.key()).isPresent());
            for (int round = 0; round < 20; round++) {
                PartitionState current = c.stores[0].partition(state.key()).orElseThrow();
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<Boolean> a = CompletableFuture.supplyAsync(() -> {
                    awaitLatch(go);
                    return c.stores[0].compareAndSet(current, current.withLeader(1, List.of(1)));
                });
                CompletableFuture<Boolean> b = CompletableFuture.supplyAsync(() -> {
                    awaitLatch(go);
                    return c.stores[1].compareAndSet(current, current.withLeader(2, List.of(2)));
                });
                go.countDown();
                assertTrue(a.get() ^ b.get(), "round " + round + ": exactly one wins, a=" + a.get() + " b=" + b.get());
                PartitionState next = c.stores[1].partition(state.key()).orElseThrow();
                assertEquals(current.partitionEpoch() + 1, next.partitionEpoch());
                assertEquals(next, c.stores[0].partition(state.key()).orElseThrow());
            }
            PartitionState current = c.stores[0].partition(state.key()).orElseThrow();
            assertFalse(c.stores[0].compareAndSet(current, current.withLeader(1, List.of(1)).withIsr(List.of(1))),
                    "a jump of two versions is refused");
            assertFalse(c.stores[0].compareAndSet(state, state.withIsr(List.of(1))), "a stale expected state loses");
        }
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void crashedBrokerLeavesTheViewWithinTwoSecondsAndTheControllerMoves() throws Exception {
        try (ClusterFixture c = new ClusterFixture("crash", dir, 3)) {
            c.startAll();
            List<Set<Integer>> seen = new CopyOnWriteArrayList<>();
            c.stores[1].addListener(new MetadataListener() {
                @Override
                public void membershipChanged(Set<Integer> live) {
                    seen.add(live);
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[2].liveBrokers().equals(Set.of(1, 2, 3)));
            assertEquals(1, c.stores[1].controllerId());
            // a crash: the stack stops without a goodbye, its sockets close under the peers
            c.stores[0].channel().getProtocolStack().stopStack("crash");
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(2)).until(() -> c.stores[1].liveBrokers().equals(Set.of(2, 3))
                    && c.stores[2].liveBrokers().equals(Set.of(2, 3)));
            System.out.printf("crash noticed after %d ms%n", (System.nanoTime() - start) / 1_000_000);
            assertEquals(2, c.stores[1].controllerId());
            assertEquals(2, c.stores[2].controllerId());
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(Set.of(2, 3)));
            await().atMost(Duration.ofSeconds(5)).until(() -> c.stores[2].isAvailable());
            assertTrue(c.stores[2].createTopic(ORDERS), "two of three are the majority: writes go on");
        }
    }
}
