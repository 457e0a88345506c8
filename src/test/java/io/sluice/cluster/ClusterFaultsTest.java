package io.sluice.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.core.ConditionTimeoutException;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Splits and whole-cluster restarts of real brokers' stores in one JVM. */
class ClusterFaultsTest {
    private static final ClusterTopic ORDERS = new ClusterTopic("orders", "id-orders", 1, 3, Map.of(), 1_000L);
    private static final ClusterTopic AUDIT = new ClusterTopic("audit", "id-audit", 1, 3, Map.of(), 2_000L);
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);

    @TempDir
    Path dir;

    @Test
    void minorityOfASplitRefusesWritesAndTakesTheMajorityStateAfterHealing() throws Exception {
        DISCARD[] cuts = new DISCARD[3];
        try (ClusterFixture c = new ClusterFixture("split", dir, 3)) {
            startCuttable(c, cuts);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[2].liveBrokers().equals(Set.of(1, 2, 3)));
            List<Boolean> availability = new CopyOnWriteArrayList<>();
            // what the minority's listeners read when told orders-0 changed
            List<Optional<PartitionState>> toldOrders = new CopyOnWriteArrayList<>();
            c.stores[2].addListener(new MetadataListener() {
                @Override
                public void availabilityChanged(boolean available) {
                    availability.add(available);
                }

                @Override
                public void partitionChanged(TopicPartition partition) {
                    if (partition.equals(ORDERS_0)) {
                        toldOrders.add(c.stores[2].partition(ORDERS_0));
                    }
                }
            });
            assertTrue(c.stores[0].createTopic(ORDERS));
            PartitionState initial = PartitionState.initial("orders", "id-orders", 0, List.of(3, 1, 2));
            assertTrue(c.stores[0].createPartition(initial));
            await().until(() -> c.stores[2].partition(ORDERS_0).isPresent());

            cut(cuts, c, 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> !c.stores[2].isAvailable()
                    && c.stores[0].liveBrokers().equals(Set.of(1, 2)) && c.stores[0].isAvailable());
            assertEquals(Set.of(3), c.stores[2].liveBrokers());

            // the cut-off leader can neither change leadership nor shrink its ISR, nor create a topic
            assertThrows(MetadataUnavailableException.class,
                    () -> c.stores[2].compareAndSet(initial, initial.withIsr(List.of(3))));
            assertThrows(MetadataUnavailableException.class, () -> c.stores[2].createTopic(AUDIT));
            // while the majority elects a new leader and goes on
            PartitionState elected = initial.withLeader(1, List.of(1, 2));
            assertTrue(c.stores[1].compareAndSet(initial, elected));
            assertTrue(c.stores[0].createTopic(AUDIT));
            assertEquals(Optional.of(initial), c.stores[2].partition(ORDERS_0), "the minority reads its last copy");

            for (DISCARD cut : cuts) {
                cut.resetIgnoredMembers();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> c.stores[2].isAvailable()
                    && c.stores[2].liveBrokers().equals(Set.of(1, 2, 3))
                    && c.stores[2].partition(ORDERS_0).equals(Optional.of(elected))
                    && c.stores[2].topics().containsKey("audit"));
            await().atMost(Duration.ofSeconds(5)).until(() -> availability.equals(List.of(false, true)));
            // The merge's conflict resolution brings the majority's values with no entry event: the
            // store announces them itself, or the broker would act on its old copy until the next change.
            await().atMost(Duration.ofSeconds(5)).until(() -> toldOrders.contains(Optional.of(elected)));
            PartitionState next = elected.withIsr(List.of(1, 2, 3));
            assertTrue(c.stores[2].compareAndSet(elected, next), "the healed broker writes again");
            await().until(() -> c.stores[0].partition(ORDERS_0).equals(Optional.of(next)));
        }
    }

    @Test
    void wholeClusterRestartInReverseOrderKeepsTopicsAndTheNewestPartitionStates() throws Exception {
        PartitionState initial = PartitionState.initial("orders", "id-orders", 0, List.of(1, 2, 3));
        PartitionState second;
        try (ClusterFixture c = new ClusterFixture("restart", dir, 3)) {
            c.startAll();
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[2].liveBrokers().equals(Set.of(1, 2, 3)));
            assertTrue(c.stores[0].createTopic(ORDERS));
            assertTrue(c.stores[0].createTopic(AUDIT));
            assertTrue(c.stores[0].createPartition(initial));
            await().until(() -> c.stores[2].partition(ORDERS_0).isPresent() && c.stores[2].topics().size() == 2);
            // broker 3 leaves with epoch 0 and "audit" in its copy ...
            c.close(2);
            // ... while the others move the partition on twice and delete "audit"
            PartitionState first = initial.withLeader(2, List.of(1, 2));
            assertTrue(c.stores[0].compareAndSet(initial, first));
            second = first.withIsr(List.of(2));
            assertTrue(c.stores[1].compareAndSet(first, second));
            assertTrue(c.stores[1].removeTopic(AUDIT));
            await().until(() -> c.stores[0].partition(ORDERS_0).equals(Optional.of(second)));
            c.close(1);
            c.close(0);

            // the stale broker starts first and seeds the cluster with its old copy
            InfinispanMetadataStore stale = c.start(2);
            assertEquals(Optional.of(initial), stale.partition(ORDERS_0));
            assertTrue(stale.topics().containsKey("audit"));
            c.start(1);
            c.start(0);
            for (InfinispanMetadataStore s : c.stores) {
                await().atMost(Duration.ofSeconds(10)).until(() -> s.partition(ORDERS_0).equals(Optional.of(second))
                        && s.topics().keySet().equals(Set.of("orders")));
                assertEquals(Set.of(1, 2, 3), s.brokers().keySet());
            }
            assertThrows(IllegalArgumentException.class, () -> c.stores[0].createTopic(AUDIT),
                    "the deleted topic's id stays deleted after the restart");
        }
    }

    @Test
    void aBrokerCutOffPastFailureDetectionIsRegisteredAndLiveEverywhereSoonAfterTheHeal() throws Exception {
        cutOffAndHeal(2);
    }

    @Test
    void theCoordinatorCutOffPastFailureDetectionIsRegisteredAndLiveEverywhereSoonAfterTheHeal() throws Exception {
        cutOffAndHeal(0);
    }

    /**
     * Infinispan leaves a merge's conflict resolution pending when a member is lost while it runs, and
     * starts no rebalance until it ends: without the store's nudge, no broker could join the cluster
     * again (its initial state transfer timed out) until the coordinator restarted.
     */
    @Test
    void aBrokerLostDuringTheMergeOfASplitDoesNotKeepBrokersFromJoiningLater() throws Exception {
        DISCARD[] cuts = new DISCARD[3];
        try (ClusterFixture c = new ClusterFixture("lost-in-merge", dir, 3)) {
            startCuttable(c, cuts);
            await().atMost(Duration.ofSeconds(10)).until(() -> allSee(c, Set.of(1, 2, 3)));
            assertTrue(c.stores[0].createTopic(ORDERS));
            // enough entries that the merge's conflict resolution runs long enough to lose a broker in it
            for (int p = 0; p < 2_000; p++) {
                c.stores[0].createPartition(PartitionState.initial("orders", "id-orders", p, List.of(1, 2, 3)));
            }
            cut(cuts, c, 2);
            await().atMost(Duration.ofSeconds(15)).until(() -> c.stores[0].liveBrokers().equals(Set.of(1, 2))
                    && c.stores[0].isAvailable() && !c.stores[2].isAvailable());
            for (DISCARD d : cuts) {
                d.resetIgnoredMembers();
            }
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(1))
                    .until(() -> c.stores[0].resolvingConflicts());
            // lost while the merge resolves conflicts: a broker other than the one that resolves them
            Address coordinator = c.stores[0].channel().getView().getCoord();
            int lost = c.stores[1].channel().getAddress().equals(coordinator) ? 2 : 1;
            int survivor = 3 - lost;
            cut(cuts, c, lost);
            await().atMost(Duration.ofSeconds(15)).until(() -> !c.stores[0].liveBrokers().contains(lost + 1));
            c.close(lost);

            c.start(lost); // its initial state transfer needs a rebalance of every cache
            await().atMost(Duration.ofSeconds(20)).until(() -> allSee(c, Set.of(1, 2, 3)));
            assertEquals(2_000, c.stores[lost].partitions().size());
            assertEquals(2_000, c.stores[survivor].partitions().size());
        }
    }

    /**
     * A broker that starts cut off forms a cluster of its own and registers there; the merge prefers
     * the larger side, which never had that registration. The broker must still be registered after
     * the merge, for good (the registration is what makes it a member in every broker's view).
     */
    @Test
    void aBrokerThatStartedAloneStaysRegisteredAfterItsClusterMergesIntoTheLargerOne() throws Exception {
        try (ClusterFixture c = new ClusterFixture("alone", dir, 3)) {
            c.start(0);
            c.start(1);
            await().atMost(Duration.ofSeconds(10)).until(() -> c.stores[0].liveBrokers().equals(Set.of(1, 2)));
            DISCARD[] alone = new DISCARD[1];
            c.start(2, protocols -> {
                List<Protocol> edited = new ArrayList<>(protocols);
                alone[0] = new DISCARD();
                alone[0].discardAll(true);
                edited.add(1, alone[0]);
                return edited;
            });
            assertEquals(Set.of(3), c.stores[2].liveBrokers());
            assertEquals(Set.of(3), c.stores[2].brokers().keySet(), "registered on its own side");

            alone[0].discardAll(false);
            Set<Integer> all = Set.of(1, 2, 3);
            awaitAllSee(c, all, Duration.ofSeconds(30));
            // and it stays: the merge's conflict resolution may remove it after it was seen
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> allSee(c, all));
        }
    }

    /** Broker {@code index + 1} as if frozen: nothing in or out until the others have excluded it, then healed. */
    private void cutOffAndHeal(int index) throws Exception {
        DISCARD[] cuts = new DISCARD[3];
        try (ClusterFixture c = new ClusterFixture("rejoin", dir, 3)) {
            startCuttable(c, cuts);
            Set<Integer> all = Set.of(1, 2, 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> allSee(c, all));
            cut(cuts, c, index);
            int survivor = (index + 1) % 3;
            await().atMost(Duration.ofSeconds(15)).until(() -> c.stores[survivor].liveBrokers().size() == 2
                    && c.stores[survivor].isAvailable());
            for (DISCARD cut : cuts) {
                cut.resetIgnoredMembers();
            }
            awaitAllSee(c, all, Duration.ofSeconds(15));
        }
    }

    /** Waits until every broker sees {@code brokers} registered and live; else fails with what each sees. */
    private static void awaitAllSee(ClusterFixture c, Set<Integer> brokers, Duration wait) {
        try {
            await().atMost(wait).pollInterval(Duration.ofMillis(100)).until(() -> allSee(c, brokers));
        } catch (ConditionTimeoutException e) {
            StringBuilder sb = new StringBuilder();
            for (InfinispanMetadataStore s : c.stores) {
                sb.append(" broker ").append(s.localBrokerId()).append(": registered ").append(s.brokers().keySet())
                        .append(" live ").append(s.liveBrokers()).append(" available ").append(s.isAvailable())
                        .append(" view ").append(s.channel().getView()).append(';');
            }
            throw new AssertionError(sb.toString(), e);
        }
    }

    /** Starts every broker with a DISCARD right above TCP, which drops what arrives from ignored members. */
    private static void startCuttable(ClusterFixture c, DISCARD[] cuts) {
        for (int i = 0; i < cuts.length; i++) {
            int at = i;
            c.start(i, protocols -> {
                List<Protocol> edited = new ArrayList<>(protocols);
                cuts[at] = new DISCARD();
                edited.add(1, cuts[at]);
                return edited;
            });
        }
    }

    /** Nothing between broker {@code index + 1} and the others any more, in either direction. */
    private static void cut(DISCARD[] cuts, ClusterFixture c, int index) {
        Address off = c.stores[index].channel().getAddress();
        for (int i = 0; i < cuts.length; i++) {
            if (i != index) {
                cuts[index].addIgnoreMember(c.stores[i].channel().getAddress());
                cuts[i].addIgnoreMember(off);
            }
        }
    }

    private static boolean allSee(ClusterFixture c, Set<Integer> brokers) {
        for (InfinispanMetadataStore s : c.stores) {
            if (!s.isAvailable() || !s.liveBrokers().equals(brokers) || !s.brokers().keySet().equals(brokers)) {
                return false;
            }
        }
        return true;
    }

}
