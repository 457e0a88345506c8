package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ReplicaAssignerTest {
    private static List<BrokerInfo> brokers(int... ids) {
        List<BrokerInfo> result = new ArrayList<>();
        for (int id : ids) {
            result.add(broker(id, null));
        }
        return result;
    }

    private static BrokerInfo broker(int id, String rack) {
        return new BrokerInfo(id, "127.0.0.1", 8000 + id, "127.0.0.1", 9000 + id, rack);
    }

    private static List<BrokerInfo> racked(Map<Integer, String> racks) {
        return racks.entrySet().stream().map(e -> broker(e.getKey(), e.getValue())).toList();
    }

    /** Kafka's {@code AdminTest.testReplicaAssignment}: five brokers, ten partitions, start 0. */
    @Test
    void matchesKafkasRackUnawareExample() {
        Map<Integer, List<Integer>> expected = Map.of(
                0, List.of(0, 1, 2), 1, List.of(1, 2, 3), 2, List.of(2, 3, 4), 3, List.of(3, 4, 0),
                4, List.of(4, 0, 1), 5, List.of(0, 2, 3), 6, List.of(1, 3, 4), 7, List.of(2, 4, 0),
                8, List.of(3, 0, 1), 9, List.of(4, 1, 2));
        assertEquals(expected, ReplicaAssigner.assign(brokers(0, 1, 2, 3, 4), 10, 3, 0));
    }

    /** Kafka's {@code AdminRackAwareTest}: six brokers on three racks, seven partitions, start 0. */
    @Test
    void matchesKafkasRackAwareExample() {
        Map<Integer, String> racks = Map.of(0, "rack1", 1, "rack3", 2, "rack3", 3, "rack2", 4, "rack2", 5, "rack1");
        assertEquals(List.of(0, 3, 1, 5, 4, 2),
                ReplicaAssigner.rackAlternated(racked(racks)).stream().map(BrokerInfo::id).toList());
        Map<Integer, List<Integer>> expected = Map.of(
                0, List.of(0, 3, 1), 1, List.of(3, 1, 5), 2, List.of(1, 5, 4), 3, List.of(5, 4, 2),
                4, List.of(4, 2, 0), 5, List.of(2, 0, 3), 6, List.of(0, 4, 2));
        assertEquals(expected, ReplicaAssigner.assign(racked(racks), 7, 3, 0));
    }

    @ParameterizedTest(name = "{0} brokers, start {1}")
    @CsvSource({"3,0", "3,2", "4,0", "4,-7", "6,0", "6,5", "6,1234567"})
    void leadersAndEveryReplicaPositionSpreadEvenly(int brokerCount, int start) {
        int[] ids = new int[brokerCount];
        for (int i = 0; i < brokerCount; i++) {
            ids[i] = i + 1;
        }
        int rf = 3;
        int partitions = brokerCount * 4;
        Map<Integer, List<Integer>> placed = ReplicaAssigner.assign(brokers(ids), partitions, rf, start);
        assertEquals(partitions, placed.size());
        for (int position = 0; position < rf; position++) {
            Map<Integer, Integer> counts = new HashMap<>();
            for (List<Integer> replicas : placed.values()) {
                counts.merge(replicas.get(position), 1, Integer::sum);
            }
            for (int id : ids) {
                assertEquals(4, counts.getOrDefault(id, 0), "broker " + id + " at replica position " + position
                        + " in " + placed);
            }
        }
        placed.values().forEach(r -> assertEquals(rf, Set.copyOf(r).size(), "distinct brokers: " + r));
        // The shift moves followers every round, so brokers do not pair up in fixed sets.
        Set<Set<Integer>> sets = placed.values().stream().map(Set::copyOf).collect(Collectors.toSet());
        int possible = brokerCount * (brokerCount - 1) * (brokerCount - 2) / 6;
        assertTrue(sets.size() >= Math.min(possible, brokerCount + 1), "replica sets " + sets);
    }

    @Test
    void threeRacksPutEachPartitionOnThreeRacks() {
        Map<Integer, String> racks = Map.of(1, "a", 2, "a", 3, "b", 4, "b", 5, "c", 6, "c");
        Map<Integer, List<Integer>> placed = ReplicaAssigner.assign(racked(racks), 12, 3, 5);
        Map<Integer, Integer> leaders = new HashMap<>();
        Map<Integer, Integer> replicas = new HashMap<>();
        placed.values().forEach(r -> {
            assertEquals(3, r.stream().map(racks::get).distinct().count(), "racks of " + r);
            leaders.merge(r.get(0), 1, Integer::sum);
            r.forEach(b -> replicas.merge(b, 1, Integer::sum));
        });
        racks.keySet().forEach(b -> {
            assertEquals(2, leaders.get(b), "leaders of broker " + b);
            assertEquals(6, replicas.get(b), "replicas on broker " + b);
        });
    }

    @Test
    void unevenRacksStillGiveDistinctRacksWhileThereAreEnough() {
        Map<Integer, String> racks = Map.of(1, "a", 2, "a", 3, "a", 4, "b", 5, "c");
        ReplicaAssigner.assign(racked(racks), 20, 3, 0).values()
                .forEach(r -> assertEquals(3, r.stream().map(racks::get).distinct().count(), "racks of " + r));
    }

    @Test
    void fewerRacksThanReplicasUsesEveryRackAndDistinctBrokers() {
        Map<Integer, String> racks = Map.of(1, "a", 2, "a", 3, "b", 4, "b");
        ReplicaAssigner.assign(racked(racks), 8, 3, 1).values().forEach(r -> {
            assertEquals(3, Set.copyOf(r).size(), "brokers of " + r);
            assertEquals(2, r.stream().map(racks::get).distinct().count(), "racks of " + r);
        });
    }

    @Test
    void aBrokerWithoutRackTurnsRacksOff() {
        List<BrokerInfo> mixed = List.of(broker(3, "a"), broker(1, null), broker(2, "b"));
        assertEquals(List.of(1, 2, 3), ReplicaAssigner.rackAlternated(mixed).stream().map(BrokerInfo::id).toList());
        assertEquals(Map.of(0, List.of(1, 2), 1, List.of(2, 3), 2, List.of(3, 1)),
                ReplicaAssigner.assign(mixed, 3, 2, 0));
    }

    @Test
    void partitionsAddedLaterContinueTheRoundRobin() {
        List<BrokerInfo> brokers = racked(Map.of(1, "a", 2, "b", 3, "c", 4, "a", 5, "b"));
        Map<Integer, List<Integer>> all = ReplicaAssigner.assign(brokers, 10, 3, 3);
        Map<Integer, List<Integer>> first = ReplicaAssigner.assign(brokers, 4, 3, 3);
        int start = ReplicaAssigner.continuationStart(brokers, first.get(0), 0);
        Map<Integer, List<Integer>> more = ReplicaAssigner.assign(brokers, List.of(4, 5, 6, 7, 8, 9), 3, start);
        Map<Integer, List<Integer>> together = new HashMap<>(first);
        together.putAll(more);
        assertEquals(all, together);
    }

    @Test
    void aNewBrokerGetsTheNextPartitionOfAGrownTopic() {
        Map<Integer, List<Integer>> before = ReplicaAssigner.assign(brokers(1, 2, 3), 3, 2, 0);
        List<BrokerInfo> grown = brokers(1, 2, 3, 4);
        int start = ReplicaAssigner.continuationStart(grown, before.get(0), 0);
        assertEquals(4, ReplicaAssigner.assign(grown, List.of(3), 2, start).get(3).get(0));
    }

    @Test
    void replicationFactorAboveTheBrokersIsRefused() {
        SluiceException e = assertThrows(SluiceException.class,
                () -> ReplicaAssigner.assign(brokers(1, 2), 3, 3, 0));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("replication factor 3"), e.getMessage());
        assertThrows(SluiceException.class, () -> ReplicaAssigner.assign(brokers(1, 2), 3, 0, 0));
        assertThrows(SluiceException.class, () -> ReplicaAssigner.assign(List.of(), 1, 1, 0));
    }

    @Test
    void aSingleBrokerTakesEveryPartition() {
        Map<Integer, List<Integer>> placed = ReplicaAssigner.assign(brokers(7), 3, 1, 99);
        assertEquals(new HashSet<>(List.of(List.of(7))), new HashSet<>(placed.values()));
    }
}
