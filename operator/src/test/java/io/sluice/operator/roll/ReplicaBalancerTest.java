package io.sluice.operator.roll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The scale-out plan: balance, fewest moves, replication factor and rack spread kept. */
class ReplicaBalancerTest {

    /** Kafka-style placement on brokers 0..n-1: partition p on p, p+1, ... (mod n). */
    private static TopicReplicas roundRobin(String name, int partitions, int rf, int brokers) {
        Map<Integer, List<Integer>> assignment = new TreeMap<>();
        for (int p = 0; p < partitions; p++) {
            int first = p;
            assignment.put(p, IntStream.range(0, rf).mapToObj(i -> (first + i) % brokers).toList());
        }
        return new TopicReplicas(name, rf, assignment);
    }

    private static Map<Integer, String> brokers(int n) {
        Map<Integer, String> racks = new TreeMap<>();
        for (int b = 0; b < n; b++) {
            racks.put(b, null);
        }
        return racks;
    }

    private static Map<Integer, String> racked(String... racks) {
        Map<Integer, String> map = new TreeMap<>();
        for (int b = 0; b < racks.length; b++) {
            map.put(b, racks[b]);
        }
        return map;
    }

    /** The replicas of every topic after applying the plan. */
    private static Map<String, Map<Integer, List<Integer>>> after(List<TopicReplicas> topics, ReassignmentPlan plan) {
        Map<String, Map<Integer, List<Integer>>> result = new LinkedHashMap<>();
        for (TopicReplicas t : topics) {
            Map<Integer, List<Integer>> partitions = new TreeMap<>(t.partitions());
            partitions.putAll(plan.targets(t.topic()));
            result.put(t.topic(), partitions);
        }
        return result;
    }

    /** The invariants every plan keeps: RF, no broker twice, only known brokers, counts within floor..ceil. */
    private static void assertBalanced(List<TopicReplicas> topics, Map<Integer, String> brokers, ReassignmentPlan plan) {
        Map<String, Map<Integer, List<Integer>>> after = after(topics, plan);
        int minimalMoves = 0;
        for (TopicReplicas t : topics) {
            Map<Integer, Integer> counts = new HashMap<>();
            brokers.keySet().forEach(b -> counts.put(b, 0));
            int total = 0;
            for (Map.Entry<Integer, List<Integer>> e : after.get(t.topic()).entrySet()) {
                List<Integer> rs = e.getValue();
                assertEquals(t.replicationFactor(), rs.size(), t.topic() + "-" + e.getKey() + " " + rs);
                assertEquals(rs.size(), new HashSet<>(rs).size(), "a broker twice in " + t.topic() + "-" + e.getKey() + " " + rs);
                rs.forEach(b -> assertTrue(brokers.containsKey(b), "unknown broker " + b + " in " + rs));
                rs.forEach(b -> counts.merge(b, 1, Integer::sum));
                total += rs.size();
            }
            int floor = total / brokers.size();
            int ceil = floor + (total % brokers.size() == 0 ? 0 : 1);
            counts.forEach((b, c) -> assertTrue(c >= floor && c <= ceil, t.topic() + ": broker " + b + " holds " + c
                    + ", not within " + floor + ".." + ceil + ": " + after.get(t.topic())));
            // The fewest moves: what the fullest brokers hold beyond their shares.
            Map<Integer, Integer> before = new HashMap<>();
            t.partitions().values().forEach(rs -> rs.forEach(b -> before.merge(b, 1, Integer::sum)));
            List<Integer> sorted = new ArrayList<>(brokers.keySet());
            sorted.sort((a, b) -> before.getOrDefault(b, 0) - before.getOrDefault(a, 0));
            int extra = total % brokers.size();
            for (int i = 0; i < sorted.size(); i++) {
                minimalMoves += Math.max(0, before.getOrDefault(sorted.get(i), 0) - (floor + (i < extra ? 1 : 0)));
            }
            for (int b : before.keySet()) {
                if (!brokers.containsKey(b)) {
                    minimalMoves += before.get(b);
                }
            }
        }
        assertEquals(minimalMoves, plan.moves(), "moves");
        assertEquals(List.of(), plan.unplaced());
    }

    static Stream<Arguments> scaleOuts() {
        return Stream.of(
                Arguments.of("3 to 4 brokers, 4 partitions RF3", List.of(roundRobin("t", 4, 3, 3)), 4, 3),
                Arguments.of("3 to 6 brokers, 6 partitions RF3", List.of(roundRobin("t", 6, 3, 3)), 6, 9),
                Arguments.of("3 to 5 brokers, two topics", List.of(roundRobin("a", 10, 3, 3), roundRobin("b", 7, 2, 3)), 5, 12 + 5),
                Arguments.of("1 to 3 brokers, RF1", List.of(roundRobin("t", 6, 1, 1)), 3, 4),
                Arguments.of("balanced already", List.of(roundRobin("t", 6, 3, 6)), 6, 0),
                Arguments.of("one partition, more brokers: nothing to even out", List.of(roundRobin("t", 1, 3, 3)), 6, 0),
                Arguments.of("50 partitions RF3, 3 to 7 brokers", List.of(roundRobin("__consumer_offsets", 50, 3, 3)), 7, 150 - 3 * 22));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaleOuts")
    void spreadsEveryTopicEvenlyWithTheFewestMoves(String name, List<TopicReplicas> topics, int brokerCount, int moves) {
        Map<Integer, String> brokers = brokers(brokerCount);
        ReassignmentPlan plan = ReplicaBalancer.plan(topics, brokers);
        assertBalanced(topics, brokers, plan);
        assertEquals(moves, plan.moves(), name);
        assertEquals(plan, ReplicaBalancer.plan(topics, brokers), "deterministic");
        if (moves == 0) {
            assertTrue(plan.isEmpty(), plan::toString);
        }
    }

    @Test
    void preferredLeadersSpreadToTheNewBrokersToo() {
        List<TopicReplicas> topics = List.of(roundRobin("t", 6, 3, 3));
        ReassignmentPlan plan = ReplicaBalancer.plan(topics, brokers(6));
        Map<Integer, Integer> leads = new TreeMap<>();
        after(topics, plan).get("t").values().forEach(rs -> leads.merge(rs.get(0), 1, Integer::sum));
        assertEquals(Map.of(0, 1, 1, 1, 2, 1, 3, 1, 4, 1, 5, 1), leads, () -> "plan " + plan);
    }

    @Test
    void aMovedReplicaTakesItsPredecessorsPlace() {
        TopicReplicas topic = new TopicReplicas("t", 3, Map.of(0, List.of(0, 1, 2), 1, List.of(1, 2, 0),
                2, List.of(2, 0, 1), 3, List.of(0, 1, 2)));
        ReassignmentPlan plan = ReplicaBalancer.plan(List.of(topic), brokers(4));
        plan.targets("t").forEach((p, target) -> {
            List<Integer> old = topic.partitions().get(p);
            int differing = 0;
            for (int i = 0; i < 3; i++) {
                if (!old.get(i).equals(target.get(i))) {
                    differing++;
                    assertEquals(3, target.get(i), "only broker 3 comes in: " + old + " -> " + target);
                }
            }
            assertEquals(1, differing, old + " -> " + target);
        });
    }

    @Test
    void racksStaySpreadWhenEveryBrokerHasOne() {
        // Three zones; brokers 3, 4, 5 join one per zone. A partition spans a, b, c and must keep doing so.
        Map<Integer, String> zones = racked("a", "b", "c", "a", "b", "c");
        List<TopicReplicas> topics = List.of(roundRobin("t", 6, 3, 3));
        ReassignmentPlan plan = ReplicaBalancer.plan(topics, zones);
        assertBalanced(topics, zones, plan);
        after(topics, plan).get("t").forEach((p, rs) -> assertEquals(3,
                rs.stream().map(zones::get).distinct().count(), "partition " + p + " " + rs));
    }

    @Test
    void aNewBrokerTakesReplicasOnlyFromItsOwnRack() {
        // The new broker is in zone a, like broker 0; a partition on 0, 1, 2 can only give it 0's replica,
        // so brokers 1 and 2 keep one replica over their share rather than narrow a partition to two zones.
        Map<Integer, String> zones = racked("a", "b", "c", "a");
        TopicReplicas topic = new TopicReplicas("t", 3, Map.of(0, List.of(1, 2, 0), 1, List.of(2, 1, 0),
                2, List.of(1, 0, 2), 3, List.of(2, 0, 1)));
        ReassignmentPlan plan = ReplicaBalancer.plan(List.of(topic), zones);
        after(List.of(topic), plan).get("t").forEach((p, rs) -> assertEquals(3,
                rs.stream().map(zones::get).distinct().count(), "partition " + p + " " + rs));
        assertEquals(1, plan.moves(), plan::toString);
        assertEquals(List.of(3), plan.targets("t").values().stream().flatMap(List::stream)
                .filter(b -> b == 3).toList(), plan::toString);
        assertEquals(2, plan.unplaced().size(), plan::toString);
    }

    @Test
    void racksAreIgnoredUnlessEveryBrokerHasOne() {
        Map<Integer, String> zones = racked("a", "a", "a", null);
        List<TopicReplicas> topics = List.of(roundRobin("t", 4, 3, 3));
        assertBalanced(topics, zones, ReplicaBalancer.plan(topics, zones));
    }

    @Test
    void whenNoMoveKeepsTheRackSpreadTheReplicaStaysAndIsReported() {
        // Brokers 1 and 2 (zones b, c) are over their share, 0 and 3 (both zone a) under it: every move
        // would put two replicas of a partition in zone a.
        Map<Integer, String> zones = racked("a", "b", "c", "a");
        TopicReplicas topic = new TopicReplicas("t", 3, Map.of(0, List.of(0, 1, 2), 1, List.of(3, 1, 2),
                2, List.of(0, 1, 2), 3, List.of(3, 1, 2)));
        ReassignmentPlan plan = ReplicaBalancer.plan(List.of(topic), zones);
        assertTrue(plan.isEmpty(), plan::toString);
        assertEquals(2, plan.unplaced().size(), plan::toString);
        assertTrue(plan.unplaced().get(0).contains("broker 1 keeps 1 replica"), plan::toString);
    }

    @Test
    void partitionsAlreadyMovingAreLeftAlone() {
        TopicReplicas moving = new TopicReplicas("t", 3, new TreeMap<>(Map.of(0, List.of(0, 1, 2))),
                new TreeMap<>(Map.of(0, List.of(3, 1, 2))));
        assertTrue(ReplicaBalancer.plan(List.of(moving), brokers(6)).isEmpty());
        // A partition whose list is longer than RF is mid-move (expanded) even without a reported target.
        TopicReplicas expanded = new TopicReplicas("u", 3, Map.of(0, List.of(3, 1, 2, 0)));
        assertTrue(ReplicaBalancer.plan(List.of(expanded), brokers(6)).isEmpty());
    }

    @Test
    void replicasOnBrokersOutsideTheSetMoveOff() {
        TopicReplicas topic = new TopicReplicas("t", 2, Map.of(0, List.of(0, 3), 1, List.of(3, 1), 2, List.of(1, 2)));
        Map<Integer, String> brokers = brokers(3);
        ReassignmentPlan plan = ReplicaBalancer.plan(List.of(topic), brokers);
        assertBalanced(List.of(topic), brokers, plan);
    }

    @Test
    void randomClustersAreBalanced() {
        long seed = 20261129L;
        System.out.println("ReplicaBalancerTest seed " + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 200; round++) {
            int oldBrokers = 1 + random.nextInt(5);
            int newBrokers = oldBrokers + random.nextInt(5);
            List<TopicReplicas> topics = new ArrayList<>();
            for (int t = 0; t < 1 + random.nextInt(4); t++) {
                int rf = 1 + random.nextInt(oldBrokers);
                SortedMap<Integer, List<Integer>> partitions = new TreeMap<>();
                for (int p = 0; p < 1 + random.nextInt(30); p++) {
                    List<Integer> shuffled = new ArrayList<>(IntStream.range(0, oldBrokers).boxed().toList());
                    java.util.Collections.shuffle(shuffled, random);
                    partitions.put(p, shuffled.subList(0, rf));
                }
                topics.add(new TopicReplicas("topic-" + t, rf, partitions));
            }
            Map<Integer, String> brokers = brokers(newBrokers);
            ReassignmentPlan plan = ReplicaBalancer.plan(topics, brokers);
            int r = round;
            try {
                assertBalanced(topics, brokers, plan);
            } catch (AssertionError e) {
                throw new AssertionError("round " + r + " (seed " + seed + "): " + topics + " on " + newBrokers, e);
            }
        }
    }
}
