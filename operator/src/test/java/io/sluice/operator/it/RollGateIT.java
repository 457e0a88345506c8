package io.sluice.operator.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.ReplicationHealth;
import io.sluice.operator.brokers.TopicDescription;
import io.sluice.operator.roll.PodRestarter;
import io.sluice.operator.roll.PodState;
import io.sluice.operator.roll.RollAction;
import io.sluice.operator.roll.RollDriver;
import io.sluice.operator.roll.RollInput;
import io.sluice.operator.roll.RollOutcome;
import io.sluice.operator.roll.RollSettings;
import io.sluice.operator.roll.RollState;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The roll's ISR gate against three real broker processes: with a partition held under-replicated
 * (a follower frozen with SIGSTOP until its leader drops it from the ISR), the roll restarts no
 * broker; once the follower runs again and the ISR is whole, it restarts every broker, one at a
 * time, each only when the one before is back and every partition has its full ISR.
 *
 * <p>The test plays Kubernetes: pod revisions live in a map, a "pod delete" is a SIGTERM and a new
 * launch on the same data dir and ports, on the new revision. A pod's readiness is what a kubelet
 * would report: not ready from its (re)start until {@code /q/health/ready} first answers 200, ready
 * afterwards. The kubelet only marks a running pod unready after several failed probes (30 s by
 * default), longer than this test freezes a broker, so the frozen broker stays "ready": what holds the
 * roll is the brokers' own answer that a partition is under-replicated, not a pod condition.
 */
class RollGateIT {
    private static final int BROKERS = 3;
    private static final String TOPIC = "rolled";
    private static final String OLD_REVISION = "sluice-rev-1";
    private static final String NEW_REVISION = "sluice-rev-2";

    private static TestCluster cluster;
    private static List<TestBroker> brokers;
    private static BrokerAdmin admin;
    /** The test's own look at the cluster, apart from the roll's client. */
    private static BrokerAdmin observer;

    private final Map<Integer, String> revisions = new ConcurrentHashMap<>();
    private final Map<Integer, Boolean> readySinceLaunch = new ConcurrentHashMap<>();
    /** Each restart the roll asked for, with what the observer saw of the cluster at that moment. */
    private final List<Restart> restarts = new CopyOnWriteArrayList<>();

    record Restart(int broker, int underReplicated, int offline, List<Integer> notReady, int controller) {
    }

    @BeforeAll
    static void startCluster() {
        // A frozen follower leaves the ISR after 2 s instead of 10 s.
        cluster = TestCluster.start("RollGateIT", 21, BROKERS, BROKERS,
                Map.of("sluice.replication.lag-time-max-ms", "2000"));
        brokers = cluster.brokers();
        admin = new BrokerAdmin(cluster.uris(), Duration.ofSeconds(2));
        observer = new BrokerAdmin(cluster.uris(), Duration.ofSeconds(2));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theRollWaitsWhileAPartitionIsUnderReplicatedAndGoesOnOnceTheIsrIsWhole(TestInfo test) {
        try {
            rollThroughAnUnderReplicatedPartition();
        } catch (RuntimeException | Error e) {
            System.err.println(test.getDisplayName() + " failed; restarts " + restarts + "; the brokers:" + tails());
            throw e;
        }
    }

    private void rollThroughAnUnderReplicatedPartition() {
        for (int id = 0; id < BROKERS; id++) {
            revisions.put(id, OLD_REVISION);
            readySinceLaunch.put(id, true);
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> observer.cluster().brokers().stream().filter(ClusterInfo.Member::alive).count() == BROKERS);
        observer.createTopic(TOPIC, 3, 3, Map.of());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> observer.replicationHealth().whole());

        // Freeze a follower that is not the controller (freezing the controller tests failover, not the gate).
        ClusterInfo view = observer.cluster();
        int controller = view.controller();
        TopicDescription topic = observer.topic(TOPIC);
        int frozen = topic.partitionStates().stream()
                .flatMap(p -> p.replicas().stream().filter(r -> r != p.leader()))
                .filter(r -> r != controller).findFirst().orElseThrow();
        brokers.get(frozen).pause();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> observer.replicationHealth().underReplicatedPartitions() > 0);

        RollSettings settings = new RollSettings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofMinutes(5),
                Duration.ofMillis(200));
        RollDriver roll = new RollDriver(admin, new ProcessRestarter(), settings, Clock.systemUTC());
        RollState[] state = {RollState.IDLE};
        List<String> waits = new CopyOnWriteArrayList<>();

        // While the partition is under-replicated, every step waits and no broker is restarted.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    RollOutcome outcome = roll.step(state[0], input());
                    state[0] = outcome.next();
                    if (outcome.action() instanceof RollAction.Wait wait) {
                        waits.add(wait.reason());
                    }
                    return restarts.isEmpty() && outcome.action() instanceof RollAction.Wait;
                });
        assertTrue(waits.stream().allMatch(w -> w.contains("under-replicated")), () -> "waits: " + waits);
        assertEquals(RollState.Phase.IDLE, state[0].phase(), state[0]::toString);

        brokers.get(frozen).resume();

        // Whole again: the roll goes on, one broker at a time, to the end.
        await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
                .failFast("a broker exited", () -> brokers.stream().anyMatch(b -> !b.isAlive()))
                .until(() -> {
                    RollOutcome outcome = roll.step(state[0], input());
                    state[0] = outcome.next();
                    return outcome.action() instanceof RollAction.Done;
                });

        List<Integer> order = restarts.stream().map(Restart::broker).toList();
        assertEquals(BROKERS, order.size(), () -> "restarts: " + restarts);
        assertEquals(List.of(0, 1, 2), order.stream().sorted().toList(), "every broker restarted once: " + restarts);
        for (Restart restart : restarts) {
            assertEquals(0, restart.underReplicated(), () -> "a broker was restarted while a partition was"
                    + " under-replicated: " + restarts);
            assertEquals(0, restart.offline(), () -> "restarted with an offline partition: " + restarts);
            assertEquals(List.of(), restart.notReady(), () -> "restarted while a pod was not ready: " + restarts);
        }
        // The controller's broker goes last. (Which broker that is may change when the frozen broker
        // merges back into the view, so each restart is checked against the controller of its moment.)
        for (Restart restart : restarts.subList(0, restarts.size() - 1)) {
            assertTrue(restart.broker() != restart.controller(), () -> "the controller was restarted before others: "
                    + restarts);
        }
        revisions.values().forEach(r -> assertEquals(NEW_REVISION, r));
        assertEquals(RollState.Phase.IDLE, state[0].phase());
        assertEquals(order, state[0].restarted());
        ReplicationHealth end = observer.replicationHealth();
        assertTrue(end.whole(), end::toString);
        assertInstanceOf(RollAction.Done.class, roll.step(state[0], input()).action());
        assertFalse(brokers.stream().anyMatch(b -> !b.isAlive()));
    }

    /** The pods as a StatefulSet controller and kubelet would report them. */
    private RollInput input() {
        List<PodState> pods = new ArrayList<>();
        for (TestBroker broker : brokers) {
            boolean ready = broker.isAlive() && (readySinceLaunch.get(broker.id()) || markReady(broker));
            pods.add(new PodState(broker.id(), revisions.get(broker.id()), ready));
        }
        return new RollInput(NEW_REVISION, BROKERS, pods);
    }

    private boolean markReady(TestBroker broker) {
        boolean ready = broker.probeReady();
        if (ready) {
            readySinceLaunch.put(broker.id(), true);
        }
        return ready;
    }

    /** A pod delete: SIGTERM, then the StatefulSet's new pod on the update revision, same disk. */
    private final class ProcessRestarter implements PodRestarter {
        @Override
        public void restart(int ordinal) {
            ReplicationHealth health = observer.replicationHealth();
            List<Integer> notReady = input().pods().stream().filter(p -> !p.ready()).map(PodState::ordinal).toList();
            restarts.add(new Restart(ordinal, health.underReplicatedPartitions(), health.offlinePartitions(), notReady,
                    observer.cluster().controller()));
            TestBroker broker = brokers.get(ordinal);
            readySinceLaunch.put(ordinal, false);
            broker.terminate();
            revisions.put(ordinal, NEW_REVISION);
            broker.launch();
        }
    }

    private static String tails() {
        return cluster.tails();
    }
}
