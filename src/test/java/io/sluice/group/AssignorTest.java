package io.sluice.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The assignors against Kafka's documented examples, and seeded property runs. */
class AssignorTest {
    private static final long SEED = 4242L;

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static Set<TopicPartition> set(TopicPartition... tps) {
        return Set.of(tps);
    }

    private static SortedMap<String, Set<String>> subscriptions(Object... memberThenTopics) {
        SortedMap<String, Set<String>> subs = new TreeMap<>();
        for (int i = 0; i < memberThenTopics.length; i += 2) {
            subs.put((String) memberThenTopics[i], Set.of((String[]) memberThenTopics[i + 1]));
        }
        return subs;
    }

    @Test
    void rangeAsKafkaDocumentsIt() {
        // RangeAssignor's Javadoc: C0 and C1 read t0 and t1, three partitions each.
        var result = new RangeAssignor().assign(subscriptions("C0", new String[] {"t0", "t1"}, "C1",
                new String[] {"t0", "t1"}), Map.of("t0", 3, "t1", 3), Map.of());
        assertEquals(set(tp("t0", 0), tp("t0", 1), tp("t1", 0), tp("t1", 1)), result.get("C0"));
        assertEquals(set(tp("t0", 2), tp("t1", 2)), result.get("C1"));
    }

    @Test
    void roundRobinAsKafkaDocumentsIt() {
        var same = new RoundRobinAssignor().assign(subscriptions("C0", new String[] {"t0", "t1"}, "C1",
                new String[] {"t0", "t1"}), Map.of("t0", 3, "t1", 3), Map.of());
        assertEquals(set(tp("t0", 0), tp("t0", 2), tp("t1", 1)), same.get("C0"));
        assertEquals(set(tp("t0", 1), tp("t1", 0), tp("t1", 2)), same.get("C1"));
        // Different subscriptions: C0 reads t0; C1 t0, t1; C2 t0, t1, t2 (1, 2 and 3 partitions).
        var mixed = new RoundRobinAssignor().assign(subscriptions("C0", new String[] {"t0"}, "C1",
                new String[] {"t0", "t1"}, "C2", new String[] {"t0", "t1", "t2"}), Map.of("t0", 1, "t1", 2, "t2", 3),
                Map.of());
        assertEquals(set(tp("t0", 0)), mixed.get("C0"));
        assertEquals(set(tp("t1", 0)), mixed.get("C1"));
        assertEquals(set(tp("t1", 1), tp("t2", 0), tp("t2", 1), tp("t2", 2)), mixed.get("C2"));
    }

    @Test
    void stickyKeepsOwnersAsKafkaDocumentsIt() {
        // StickyAssignor's Javadoc: four topics of two partitions, C1 of three members leaves.
        String[] all = {"t0", "t1", "t2", "t3"};
        Map<String, Set<TopicPartition>> current = Map.of(
                "C0", set(tp("t0", 0), tp("t1", 1), tp("t3", 0)),
                "C1", set(tp("t0", 1), tp("t2", 0), tp("t3", 1)),
                "C2", set(tp("t1", 0), tp("t2", 1)));
        var result = new StickyAssignor().assign(subscriptions("C0", all, "C2", all),
                Map.of("t0", 2, "t1", 2, "t2", 2, "t3", 2), current);
        assertEquals(set(tp("t0", 0), tp("t1", 1), tp("t3", 0), tp("t2", 0)), result.get("C0"));
        assertEquals(set(tp("t1", 0), tp("t2", 1), tp("t0", 1), tp("t3", 1)), result.get("C2"));
    }

    @Test
    void membersOfTopicsThatDoNotExistGetNothing() {
        for (AssignmentStrategy s : AssignmentStrategy.values()) {
            var result = Assignor.of(s).assign(subscriptions("a", new String[] {"ghost"}), Map.of("ghost", 0),
                    Map.of());
            assertEquals(Map.of("a", Set.of()), result, s.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(AssignmentStrategy.class)
    void everyPartitionGoesToExactlyOneSubscriber(AssignmentStrategy strategy) {
        Random random = new Random(SEED + strategy.ordinal());
        System.out.println("seed=" + (SEED + strategy.ordinal()));
        Assignor assignor = Assignor.of(strategy);
        Map<String, Set<TopicPartition>> current = Map.of();
        for (int run = 0; run < 300; run++) {
            Map<String, Integer> counts = randomTopics(random);
            List<String> topics = new ArrayList<>(counts.keySet());
            boolean uniform = random.nextBoolean();
            SortedMap<String, Set<String>> subs = new TreeMap<>();
            int members = 1 + random.nextInt(9);
            for (int m = 0; m < members; m++) {
                Set<String> mine = new TreeSet<>();
                if (uniform) {
                    mine.addAll(topics);
                } else {
                    mine.add(topics.get(random.nextInt(topics.size())));
                    topics.stream().filter(t -> random.nextBoolean()).forEach(mine::add);
                }
                subs.put("m" + random.nextInt(20), mine);
            }
            Map<String, Set<TopicPartition>> result = assignor.assign(subs, counts, current);
            assertEquals(subs.keySet(), result.keySet());
            Map<TopicPartition, String> owner = new HashMap<>();
            result.forEach((member, tps) -> tps.forEach(tp -> {
                assertTrue(subs.get(member).contains(tp.topic()), member + " does not read " + tp);
                assertEquals(null, owner.put(tp, member), tp + " twice");
            }));
            Set<TopicPartition> expected = new HashSet<>(Assignor.allPartitions(subs, counts));
            assertEquals(expected, owner.keySet(), "complete");
            if (uniform && strategy != AssignmentStrategy.RANGE) {
                assertBalanced(result);
            }
            assertEquals(result, assignor.assign(subs, counts, current), "deterministic");
            current = result;
        }
    }

    @Test
    void stickyIsBalancedAndMovesNoMoreThanBalanceNeeds() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        StickyAssignor sticky = new StickyAssignor();
        Map<String, Integer> counts = new HashMap<>(Map.of("a", 7, "b", 5));
        SortedMap<String, Set<String>> subs = new TreeMap<>();
        Map<String, Set<TopicPartition>> current = Map.of();
        int nextId = 0;
        for (int run = 0; run < 400; run++) {
            int change = random.nextInt(4);
            if ((change == 0 || subs.isEmpty()) && subs.size() < 12) {
                subs.put(String.format("m%03d", nextId++), Set.of("a", "b"));
            } else if (change == 1 && subs.size() > 1) {
                List<String> ids = new ArrayList<>(subs.keySet());
                subs.remove(ids.get(random.nextInt(ids.size())));
            } else if (change == 2) {
                counts.merge(random.nextBoolean() ? "a" : "b", 1 + random.nextInt(3), Integer::sum);
            }
            Map<String, Set<TopicPartition>> result = sticky.assign(subs, counts, current);
            assertBalanced(result);
            assertEquals(minimalMoves(subs, counts, current), moves(current, result), "run " + run);
            current = result;
        }
    }

    /** Partitions taken from a member that still exists (orphans of a removed member are not moves). */
    private static int moves(Map<String, Set<TopicPartition>> before, Map<String, Set<TopicPartition>> after) {
        int moved = 0;
        for (Map.Entry<String, Set<TopicPartition>> e : before.entrySet()) {
            if (after.containsKey(e.getKey())) {
                for (TopicPartition tp : e.getValue()) {
                    moved += after.get(e.getKey()).contains(tp) ? 0 : 1;
                }
            }
        }
        return moved;
    }

    /** What any balanced assignment must take away: the excess over floor (or floor + 1 for the largest holders). */
    private static int minimalMoves(SortedMap<String, Set<String>> subs, Map<String, Integer> counts,
            Map<String, Set<TopicPartition>> before) {
        int total = Assignor.allPartitions(subs, counts).size();
        int floor = total / subs.size();
        int extra = total % subs.size();
        List<Integer> held = new ArrayList<>();
        for (String m : subs.keySet()) {
            held.add(before.getOrDefault(m, Set.of()).size());
        }
        held.sort((x, y) -> y - x);
        int moves = 0;
        for (int i = 0; i < held.size(); i++) {
            moves += Math.max(0, held.get(i) - (i < extra ? floor + 1 : floor));
        }
        return moves;
    }

    private static void assertBalanced(Map<String, Set<TopicPartition>> result) {
        int min = result.values().stream().mapToInt(Set::size).min().orElse(0);
        int max = result.values().stream().mapToInt(Set::size).max().orElse(0);
        assertTrue(max - min <= 1, "unbalanced: " + result);
    }

    private static Map<String, Integer> randomTopics(Random random) {
        Map<String, Integer> counts = new TreeMap<>();
        int topics = 1 + random.nextInt(4);
        for (int t = 0; t < topics; t++) {
            counts.put("topic" + t, random.nextInt(21));
        }
        return counts;
    }
}
