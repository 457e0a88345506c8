package io.sluice.cluster;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places the replicas of a topic's partitions on brokers, as Kafka's {@code AdminUtils} does: the
 * brokers are interleaved by rack (one of rack a, one of rack b, ...), partition {@code p} is led by
 * the broker at {@code p + start} in that list, and its followers follow the leader at a distance
 * that grows by one every full round, so leaders and followers both spread evenly and no two
 * brokers share all their partitions. With racks, the replicas of a partition land on distinct
 * racks while there are at least as many racks as replicas.
 *
 * <p>Racks count only when every broker has one: a broker without a rack would make "distinct
 * racks" meaningless, so then the placement ignores racks (as Kafka does for automatic creation).
 * Pure: the same brokers, count and start give the same placement.
 */
public final class ReplicaAssigner {
    private ReplicaAssigner() {
    }

    /**
     * The replicas of partitions {@code 0..partitions-1} of a new topic.
     *
     * @param start where the round-robin starts (taken modulo the broker count); the controller
     *              derives it from the topic id so that topics do not all start on the same broker
     */
    public static Map<Integer, List<Integer>> assign(Collection<BrokerInfo> brokers, int partitions,
            int replicationFactor, int start) {
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            ids.add(p);
        }
        return assign(brokers, ids, replicationFactor, start);
    }

    /**
     * The replicas of the given partition ids, each placed where it would have been in a topic
     * created with all of them: so partitions added later to a topic continue its round-robin.
     */
    public static Map<Integer, List<Integer>> assign(Collection<BrokerInfo> brokers, List<Integer> partitionIds,
            int replicationFactor, int start) {
        if (replicationFactor < 1) {
            throw invalid("replication factor must be at least 1, got " + replicationFactor);
        }
        if (replicationFactor > brokers.size()) {
            throw invalid("replication factor " + replicationFactor + " is larger than the " + brokers.size()
                    + " live brokers");
        }
        List<BrokerInfo> arranged = rackAlternated(brokers);
        int n = arranged.size();
        int startIndex = Math.floorMod(start, n);
        boolean rackAware = arranged.stream().allMatch(b -> b.rack() != null);
        int racks = (int) arranged.stream().map(BrokerInfo::rack).filter(Objects::nonNull).distinct().count();
        Map<Integer, List<Integer>> result = new LinkedHashMap<>();
        for (int p : partitionIds) {
            // Kafka bumps the followers' shift once per full round of leaders over the brokers.
            int shift = startIndex + p / n;
            int first = (p + startIndex) % n;
            result.put(p, rackAware
                    ? placeRackAware(arranged, first, shift * racks, replicationFactor, racks)
                    : placeRackUnaware(arranged, first, shift, replicationFactor));
        }
        return result;
    }

    /**
     * Where a topic that already has partitions places more: the round-robin continues from where
     * partition 0's leader sits among the brokers, as Kafka's partition growth does; with the same
     * brokers this gives exactly what a topic created with the larger count would have had.
     */
    public static int continuationStart(Collection<BrokerInfo> brokers, List<Integer> partition0Replicas,
            int fallbackStart) {
        if (partition0Replicas.isEmpty()) {
            return fallbackStart;
        }
        List<BrokerInfo> arranged = rackAlternated(brokers);
        for (int i = 0; i < arranged.size(); i++) {
            if (arranged.get(i).id() == partition0Replicas.get(0)) {
                return i;
            }
        }
        return fallbackStart;
    }

    private static List<Integer> placeRackUnaware(List<BrokerInfo> arranged, int first, int shift, int rf) {
        int n = arranged.size();
        List<Integer> replicas = new ArrayList<>(rf);
        replicas.add(arranged.get(first).id());
        for (int j = 0; j < rf - 1; j++) {
            replicas.add(arranged.get(followerIndex(first, shift, j, n)).id());
        }
        return List.copyOf(replicas);
    }

    private static List<Integer> placeRackAware(List<BrokerInfo> arranged, int first, int shift, int rf, int racks) {
        int n = arranged.size();
        BrokerInfo leader = arranged.get(first);
        List<Integer> replicas = new ArrayList<>(rf);
        replicas.add(leader.id());
        Set<String> racksUsed = new HashSet<>(Set.of(leader.rack()));
        Set<Integer> brokersUsed = new HashSet<>(Set.of(leader.id()));
        int k = 0;
        while (replicas.size() < rf) {
            BrokerInfo b = arranged.get(followerIndex(first, shift, k++, n));
            // Skip a broker on a rack that already holds a replica while some rack holds none, and a
            // broker that already holds one (possible once every rack is used and the walk wraps).
            boolean rackOk = !racksUsed.contains(b.rack()) || racksUsed.size() == racks;
            if (rackOk && !brokersUsed.contains(b.id())) {
                replicas.add(b.id());
                racksUsed.add(b.rack());
                brokersUsed.add(b.id());
            }
        }
        return List.copyOf(replicas);
    }

    private static int followerIndex(int first, int shift, int j, int n) {
        return n == 1 ? first : (first + 1 + Math.floorMod(shift + j, n - 1)) % n;
    }

    /**
     * The brokers by id, interleaved by rack (racks in name order): with racks a:{1,2}, b:{3}, c:{4,5}
     * the list is 1, 3, 4, 2, 5. Without racks (or with some broker lacking one): sorted by id.
     */
    static List<BrokerInfo> rackAlternated(Collection<BrokerInfo> brokers) {
        List<BrokerInfo> sorted = new ArrayList<>(brokers);
        sorted.sort(Comparator.comparingInt(BrokerInfo::id));
        if (sorted.stream().anyMatch(b -> b.rack() == null)) {
            return sorted;
        }
        Map<String, List<BrokerInfo>> byRack = new TreeMap<>();
        for (BrokerInfo b : sorted) {
            byRack.computeIfAbsent(b.rack(), r -> new ArrayList<>()).add(b);
        }
        List<Iterator<BrokerInfo>> iterators = new ArrayList<>();
        byRack.values().forEach(list -> iterators.add(list.iterator()));
        List<BrokerInfo> result = new ArrayList<>(sorted.size());
        for (int i = 0; result.size() < sorted.size(); i = (i + 1) % iterators.size()) {
            if (iterators.get(i).hasNext()) {
                result.add(iterators.get(i).next());
            }
        }
        return result;
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
