package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.SluiceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Random kills, returns, lagging and catching-up followers and reassignment requests, with a
 * controller pass on every broker after each event (driven on the test thread, so a seed replays
 * exactly). After every pass: a leader changed by the controller came from the ISR it read, epochs
 * never go back, the ISR never empties. Once every broker is back and every replica has caught
 * up, the cluster settles: every partition led by its preferred replica, no reassignment left.
 */
class ControllerSimulationTest {
    private static final long SEED = 2026L;
    private static final int BROKERS = 5;
    private static final int EVENTS = 3_000;

    @Test
    void randomFailuresNeverElectOutsideTheIsrAndTheClusterSettles() throws Exception {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        try (InMemoryMetadataStoreFixture cluster = new InMemoryMetadataStoreFixture()) {
            Map<Integer, Controller> controllers = new HashMap<>();
            for (int id = 1; id <= BROKERS; id++) {
                cluster.join(id, "rack-" + (id % 3));
                controllers.put(id, new Controller(cluster.store(id), Executors.newSingleThreadScheduledExecutor(),
                        new ControllerSettings(Duration.ofMillis(50), Duration.ZERO), () -> 0L));
            }
            MetadataStore observer = cluster.store(0);
            ClusterAdmin admin = new ClusterAdmin(observer);
            admin.createTopic(new ClusterTopic("sim", "id-sim", 10, 3, Map.of(), 0L));
            Set<Integer> dead = new TreeSet<>();

            for (int event = 0; event < EVENTS; event++) {
                Map<TopicPartition, PartitionState> before = snapshot(observer);
                String what = act(random, cluster, observer, admin, dead);
                Map<TopicPartition, PartitionState> acted = snapshot(observer);
                controllers.values().forEach(Controller::pass);
                checkPass(acted, snapshot(observer), "event " + event + " (" + what + ") after " + before);
            }

            dead.forEach(id -> cluster.join(id, "rack-" + (id % 3)));
            for (int round = 0; round < 100; round++) {
                controllers.values().forEach(Controller::pass);
                if (!catchUpOne(observer)) {
                    break;
                }
            }
            Collection<PartitionState> settled = observer.partitions();
            assertEquals(10, settled.size());
            for (PartitionState s : settled) {
                assertFalse(s.reassigning(), s.toString());
                assertEquals(3, s.replicas().size(), s.toString());
                assertEquals(s.replicas().get(0), s.leader(), "preferred leader restored: " + s);
                assertEquals(new TreeSet<>(s.replicas()), new TreeSet<>(s.isr()), s.toString());
            }
            controllers.values().forEach(Controller::close);
        }
    }

    private static String act(Random random, InMemoryMetadataStoreFixture cluster, MetadataStore observer,
            ClusterAdmin admin, Set<Integer> dead) {
        List<PartitionState> states = new ArrayList<>(observer.partitions());
        states.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        Set<Integer> live = observer.liveBrokers();
        switch (random.nextInt(6)) {
            case 0 -> {
                if (live.size() > 1) {
                    int victim = pick(random, live);
                    cluster.kill(victim);
                    dead.add(victim);
                    return "kill " + victim;
                }
            }
            case 1 -> {
                if (!dead.isEmpty()) {
                    int back = pick(random, dead);
                    dead.remove(back);
                    cluster.join(back, "rack-" + (back % 3));
                    return "return " + back;
                }
            }
            case 2 -> {
                for (PartitionState s : states) {
                    if (live.contains(s.leader()) && s.isr().size() > 1) {
                        List<Integer> isr = new ArrayList<>(s.isr());
                        isr.remove(Integer.valueOf(followerIn(random, s)));
                        observer.compareAndSet(s, s.withIsr(isr));
                        return "lag in " + s.key();
                    }
                }
            }
            case 3, 4 -> {
                if (catchUpOne(observer)) {
                    return "catch up";
                }
            }
            default -> {
                if (!states.isEmpty() && live.size() >= 3) {
                    List<Integer> target = new ArrayList<>(live);
                    Collections.shuffle(target, random);
                    int p = states.get(random.nextInt(states.size())).partition();
                    try {
                        admin.requestReassignment("sim", Map.of(p, List.copyOf(target.subList(0, 3))));
                        return "reassign " + p + " to " + target.subList(0, 3);
                    } catch (SluiceException refused) {
                        return "reassignment refused: " + refused.getMessage();
                    }
                }
            }
        }
        return "nothing";
    }

    /** The leader lets one lagging replica of some partition back into the ISR. */
    private static boolean catchUpOne(MetadataStore observer) {
        Set<Integer> live = observer.liveBrokers();
        for (PartitionState s : observer.partitions()) {
            if (!s.hasLeader() || !live.contains(s.leader())) {
                continue;
            }
            for (int r : s.replicas()) {
                if (live.contains(r) && !s.isr().contains(r)) {
                    List<Integer> isr = new ArrayList<>(s.isr());
                    isr.add(r);
                    return observer.compareAndSet(s, s.withIsr(isr));
                }
            }
        }
        return false;
    }

    private static void checkPass(Map<TopicPartition, PartitionState> before,
            Map<TopicPartition, PartitionState> after, String where) {
        for (PartitionState a : after.values()) {
            PartitionState b = before.get(a.key());
            assertFalse(a.isr().isEmpty(), where + ": " + a);
            assertTrue(a.replicas().containsAll(a.isr()), where + ": " + a);
            if (b == null) {
                continue;
            }
            assertTrue(a.leaderEpoch() >= b.leaderEpoch() && a.partitionEpoch() >= b.partitionEpoch(), where);
            if (a.leader() != b.leader()) {
                assertTrue(a.leaderEpoch() > b.leaderEpoch(), where + ": leader change without a new epoch " + a);
                assertTrue(!a.hasLeader() || b.isr().contains(a.leader()),
                        where + ": leader " + a.leader() + " not from the ISR " + b.isr());
            }
            if (a.hasLeader()) {
                assertTrue(a.isr().contains(a.leader()), where + ": " + a);
            }
        }
    }

    private static Map<TopicPartition, PartitionState> snapshot(MetadataStore store) {
        Map<TopicPartition, PartitionState> result = new HashMap<>();
        store.partitions().forEach(s -> result.put(s.key(), s));
        return result;
    }

    private static int pick(Random random, Set<Integer> from) {
        List<Integer> list = new ArrayList<>(new TreeSet<>(from));
        return list.get(random.nextInt(list.size()));
    }

    private static int followerIn(Random random, PartitionState s) {
        List<Integer> followers = s.isr().stream().filter(r -> r != s.leader()).toList();
        return followers.get(random.nextInt(followers.size()));
    }
}
