package io.sluice.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller runner on every broker of a simulated cluster (the in-memory fixture store):
 * only the coordinator's instance acts, and the role moves when its broker dies. The replication
 * layer is played by the test where a leader would act (a follower catching up joins the ISR).
 */
class ControllerTest {
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private InMemoryMetadataStoreFixture cluster;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Map<Integer, Controller> controllers = new HashMap<>();

    @BeforeEach
    void setUp() {
        cluster = new InMemoryMetadataStoreFixture();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        controllers.values().forEach(Controller::close);
        cluster.close();
    }

    private Controller controller(MetadataStore store) {
        return new Controller(store, Executors.newSingleThreadScheduledExecutor(),
                new ControllerSettings(Duration.ofMillis(50), SETTLE), clock::get);
    }

    /** Brokers join in this order (the first is the controller), each running a controller. */
    private void brokers(int... ids) {
        for (int id : ids) {
            cluster.join(id, null);
            Controller c = controller(cluster.store(id));
            controllers.put(id, c);
            c.start();
        }
    }

    /** The metadata as the test sees it: an observer's view, cut off from nothing. */
    private MetadataStore view() {
        return cluster.store(0);
    }

    private ClusterTopic topic(String name, int partitions, int rf, Map<String, String> config) {
        ClusterTopic t = new ClusterTopic(name, "id-" + name + "-" + clock.get(), partitions, rf, config, 0L);
        new ClusterAdmin(view()).createTopic(t);
        return t;
    }

    private List<PartitionState> states(ClusterTopic topic) {
        List<PartitionState> result = new ArrayList<>();
        for (int p = 0; p < topic.partitions(); p++) {
            view().partition(new TopicPartition(topic.name(), p)).filter(s -> s.topicId().equals(topic.id()))
                    .ifPresent(result::add);
        }
        return result;
    }

    private List<PartitionState> placed(ClusterTopic topic) {
        await().atMost(WAIT).until(() -> states(topic).size() == topic.partitions());
        return states(topic);
    }

    private PartitionState state(ClusterTopic topic, int partition) {
        return view().partition(new TopicPartition(topic.name(), partition)).orElseThrow();
    }

    /** What a leader does when a follower has caught up: the follower joins the ISR. */
    private void catchUp(ClusterTopic topic, int partition, int broker) {
        await().atMost(WAIT).until(() -> {
            PartitionState s = state(topic, partition);
            if (s.isr().contains(broker)) {
                return true;
            }
            List<Integer> isr = new ArrayList<>(s.isr());
            isr.add(broker);
            view().compareAndSet(s, s.withIsr(isr));
            return false;
        });
    }

    @Test
    void aNewTopicIsPlacedWithLeadersSpreadEvenly() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 6, 3, Map.of());
        Map<Integer, Integer> leaders = new HashMap<>();
        for (PartitionState s : placed(t)) {
            assertEquals(3, s.replicas().stream().distinct().count(), s.toString());
            assertEquals(s.replicas(), s.isr());
            assertEquals(s.replicas().get(0), s.leader());
            leaders.merge(s.leader(), 1, Integer::sum);
        }
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leaders);
    }

    @Test
    void aKilledBrokersLeadershipsMoveWithinTheIsrAndItLeavesEveryIsr() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 6, 3, Map.of());
        List<PartitionState> before = placed(t);
        cluster.kill(3);
        await().atMost(WAIT).until(() -> states(t).stream().noneMatch(s -> s.isr().contains(3)));
        for (PartitionState b : before) {
            PartitionState s = state(t, b.partition());
            assertNotEquals(3, s.leader());
            assertTrue(b.isr().contains(s.leader()));
            assertEquals(b.leader() == 3 ? 1 : 0, s.leaderEpoch(), s.toString());
            assertEquals(1, s.partitionEpoch(), "one write: leader and ISR together");
        }
    }

    @Test
    void theControllerRoleMovesWhenTheControllersBrokerDies() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 3, 2, Map.of());
        placed(t);
        cluster.kill(1);
        await().atMost(WAIT).until(() -> states(t).stream().allMatch(s -> s.leader() != 1 && !s.isr().contains(1)));
        ClusterTopic later = topic("later", 2, 2, Map.of());
        placed(later).forEach(s -> assertFalse(s.replicas().contains(1), "placed on live brokers only: " + s));
    }

    @Test
    void withoutUncleanElectionAPartitionWaitsLeaderlessForItsIsr() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("single", 3, 1, Map.of());
        PartitionState on3 = placed(t).stream().filter(s -> s.leader() == 3).findFirst().orElseThrow();
        cluster.kill(3);
        await().atMost(WAIT).until(() -> !state(t, on3.partition()).hasLeader());
        PartitionState fenced = state(t, on3.partition());
        assertEquals(1, fenced.leaderEpoch(), "the old leader is fenced");
        assertEquals(List.of(3), fenced.isr());
        cluster.join(3, null);
        await().atMost(WAIT).until(() -> state(t, on3.partition()).leader() == 3);
        assertEquals(2, state(t, on3.partition()).leaderEpoch());
    }

    @Test
    void withUncleanElectionALiveReplicaOutsideTheIsrTakesOver() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("dirty", 1, 2, Map.of(Controller.UNCLEAN_ELECTION, "true"));
        PartitionState s = placed(t).get(0);
        // The leader dropped its lagging follower from the ISR.
        assertTrue(view().compareAndSet(s, s.withIsr(List.of(s.leader()))));
        int follower = s.replicas().get(1);
        cluster.kill(s.leader());
        await().atMost(WAIT).until(() -> state(t, 0).leader() == follower);
        assertEquals(List.of(follower), state(t, 0).isr());
    }

    @Test
    void thePreferredLeaderReturnsOnlyAfterSettlingInTheIsr() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 3, 3, Map.of());
        PartitionState preferring2 = placed(t).stream().filter(s -> s.leader() == 2).findFirst().orElseThrow();
        int p = preferring2.partition();
        cluster.kill(2);
        await().atMost(WAIT).until(() -> state(t, p).leader() != 2 && !state(t, p).isr().contains(2));
        cluster.join(2, null);
        catchUp(t, p, 2);
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> state(t, p).leader() != 2);
        clock.addAndGet(SETTLE.toMillis());
        await().atMost(WAIT).until(() -> state(t, p).leader() == 2);
        assertEquals(2, state(t, p).leaderEpoch());
    }

    @Test
    void aReassignmentToNewBrokersEndsOnThemAlone() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 2, 3, Map.of());
        placed(t);
        brokers(4, 5, 6);
        ClusterAdmin admin = new ClusterAdmin(view());
        admin.requestReassignment(t.name(), Map.of(0, List.of(4, 5, 6), 1, List.of(6, 4, 5)));
        await().atMost(WAIT).until(() -> states(t).stream().allMatch(s -> s.replicas().size() == 6));
        assertEquals(List.of(4, 5, 6), admin.reassignmentProgress(t.name()).get(0).adding());
        for (int p = 0; p < 2; p++) {
            for (int b = 4; b <= 6; b++) {
                catchUp(t, p, b);
            }
        }
        await().atMost(WAIT).until(() -> admin.reassignmentProgress(t.name()).stream().noneMatch(
                ReassignmentProgress::inProgress));
        assertEquals(List.of(4, 5, 6), state(t, 0).replicas());
        assertEquals(List.of(4, 5, 6), state(t, 0).isr().stream().sorted().toList());
        assertEquals(4, state(t, 0).leader());
        assertEquals(List.of(6, 4, 5), state(t, 1).replicas());
        assertEquals(6, state(t, 1).leader());
    }

    /**
     * The controller's broker dies after each possible number of its writes; the next controller
     * carries the reassignment on to the same end, with the same leader epoch.
     */
    @Test
    void aReassignmentInterruptedByTheControllersDeathAfterAnyWriteCompletesTheSame() throws Exception {
        PartitionState uninterrupted = null;
        for (int writes = 0; writes <= 4; writes++) {
            tearDown();
            setUp();
            for (int id : List.of(10, 11, 1, 2, 3, 4, 5, 6)) {
                cluster.join(id, null);
            }
            MetadataStore store = cluster.store(11);
            ClusterTopic t = new ClusterTopic("moving", "id-moving", 1, 3, Map.of(), 0L);
            store.createTopic(t);
            store.createPartition(PartitionState.initial("moving", "id-moving", 0, List.of(1, 2, 3)));
            new ClusterAdmin(store).requestReassignment("moving", Map.of(0, List.of(4, 5, 6)));

            DyingMetadataStore dying = new DyingMetadataStore(cluster.store(10), writes);
            Controller first = controller(dying);
            while (!dying.dead() && driveOnce(first, store, t)) {
                assertEquals(0, cluster.compareAndSetFailures());
            }
            first.close();
            cluster.kill(10);
            Controller second = controller(cluster.store(11));
            while (driveOnce(second, store, t)) {
                assertEquals(0, cluster.compareAndSetFailures());
            }
            second.close();
            PartitionState end = store.partition(new TopicPartition("moving", 0)).orElseThrow();
            assertEquals(List.of(4, 5, 6), end.replicas(), "killed after " + writes + " writes");
            assertFalse(end.reassigning());
            if (uninterrupted == null) {
                uninterrupted = end;
            }
            assertEquals(uninterrupted.leader(), end.leader(), "killed after " + writes + " writes");
            assertEquals(uninterrupted.leaderEpoch(), end.leaderEpoch(), "killed after " + writes + " writes");
            assertEquals(uninterrupted.isr(), end.isr(), "killed after " + writes + " writes");
        }
    }

    /** One controller pass, then one lagging replica catches up. @return whether anything remains to do */
    private boolean driveOnce(Controller controller, MetadataStore store, ClusterTopic t) {
        try {
            controller.pass();
        } catch (MetadataUnavailableException killed) {
            return false;
        }
        PartitionState s = store.partition(new TopicPartition(t.name(), 0)).orElseThrow();
        for (int r : s.replicas()) {
            if (!s.isr().contains(r)) {
                List<Integer> isr = new ArrayList<>(s.isr());
                isr.add(r);
                assertTrue(store.compareAndSet(s, s.withIsr(isr)));
                return true;
            }
        }
        return s.reassigning();
    }

    @Test
    void aRemovedTopicLosesItsStatesAndItsNameStartsAfresh() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 3, 2, Map.of());
        placed(t);
        assertTrue(view().removeTopic(t));
        await().atMost(WAIT).until(() -> view().partitions().isEmpty());
        clock.incrementAndGet();
        ClusterTopic again = topic("orders", 2, 2, Map.of());
        assertNotEquals(t.id(), again.id());
        placed(again).forEach(s -> assertEquals(0, s.partitionEpoch()));
    }

    @Test
    void aGrownTopicGetsItsNewPartitionsPlaced() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 3, 2, Map.of());
        List<PartitionState> first = placed(t);
        ClusterTopic grown = new ClusterTopic(t.name(), t.id(), 6, 2, t.config(), t.createdAtMs());
        assertTrue(view().replaceTopic(t, grown));
        List<PartitionState> all = placed(grown);
        assertEquals(first, all.subList(0, 3), "existing partitions untouched");
        Map<Integer, Integer> leaders = new HashMap<>();
        all.forEach(s -> leaders.merge(s.leader(), 1, Integer::sum));
        assertEquals(Map.of(1, 2, 2, 2, 3, 2), leaders);
    }

    @Test
    void aTopicWaitsForEnoughLiveBrokers() {
        brokers(1, 2, 3);
        cluster.kill(3);
        ClusterTopic t = topic("wide", 2, 3, Map.of());
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> states(t).isEmpty());
        cluster.join(3, null);
        placed(t);
    }

    @Test
    void aControllerCutOffFromTheMajorityWritesNothing() {
        brokers(1, 2, 3);
        ClusterTopic t = topic("orders", 3, 3, Map.of());
        List<PartitionState> before = placed(t);
        cluster.cutOff(1, true);
        cluster.kill(3);
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> states(t).equals(before));
        cluster.cutOff(1, false);
        await().atMost(WAIT).until(() -> states(t).stream().noneMatch(s -> s.isr().contains(3)));
    }
}
