package io.sluice.operator.roll;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Plans the reassignments that spread every topic's replicas evenly over a set of brokers (after a
 * scale-out, the old brokers and the new), deterministically and with as few moves as balance allows.
 *
 * <p>Per topic, with R replicas (partitions × replication factor) over B brokers, each broker's
 * quota is R / B, and R mod B brokers get one more: those that hold the most of the topic already,
 * then those with the fewest replicas overall, then the lowest id. Replicas above quota (and every
 * replica on a broker outside the set) move, one at a time, to a broker below quota that holds no
 * replica of that partition; the new broker takes the old one's place in the replica list, so the
 * preferred leader changes only where the moved replica was the first. Among the possible moves the
 * plan prefers, in order: those that keep (or widen) the partition's rack spread, those that even
 * out preferred leaders, the broker furthest below quota, the lowest partition.
 *
 * <p>Racks count only when every broker has one (as the brokers' own placement decides): a move
 * never lowers the number of distinct racks a partition spans. A replica with no such move stays
 * where it is and is reported in {@link ReassignmentPlan#unplaced()}. The replication factor never
 * changes; partitions being reassigned already are left alone (the caller waits for them).
 */
public final class ReplicaBalancer {
    private ReplicaBalancer() {
    }

    /**
     * @param topics  every topic with its current replicas
     * @param brokers the brokers to spread over, each with its rack (null: unknown)
     */
    public static ReassignmentPlan plan(List<TopicReplicas> topics, Map<Integer, String> brokers) {
        Objects.requireNonNull(topics, "topics");
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("no brokers to spread replicas over");
        }
        SortedMap<Integer, String> racks = new TreeMap<>(brokers);
        boolean rackAware = racks.values().stream().allMatch(r -> r != null && !r.isBlank());
        Map<Integer, Integer> overall = new TreeMap<>();
        racks.keySet().forEach(b -> overall.put(b, 0));
        for (TopicReplicas topic : topics) {
            topic.partitions().values().forEach(rs -> rs.forEach(b -> overall.merge(b, 1, Integer::sum)));
        }
        SortedMap<String, SortedMap<Integer, List<Integer>>> targets = new TreeMap<>();
        List<String> unplaced = new ArrayList<>();
        int moves = 0;
        List<TopicReplicas> sorted = new ArrayList<>(topics);
        sorted.sort(Comparator.comparing(TopicReplicas::topic));
        for (TopicReplicas topic : sorted) {
            if (topic.isMoving()) {
                continue;
            }
            TopicPlan plan = new TopicPlan(topic, racks, rackAware, overall);
            moves += plan.balance(unplaced);
            targets.put(topic.topic(), plan.changed());
        }
        return new ReassignmentPlan(targets, moves, unplaced);
    }

    /** One topic being balanced: its replica lists, counts and quotas, changed in place. */
    private static final class TopicPlan {
        private final TopicReplicas topic;
        private final SortedMap<Integer, String> racks;
        private final boolean rackAware;
        private final Map<Integer, Integer> overall;
        private final SortedMap<Integer, List<Integer>> replicas = new TreeMap<>();
        private final Map<Integer, Integer> count = new TreeMap<>();
        private final Map<Integer, Integer> leads = new TreeMap<>();
        private final Map<Integer, Integer> quota = new TreeMap<>();
        private final Set<Integer> changed = new HashSet<>();

        TopicPlan(TopicReplicas topic, SortedMap<Integer, String> racks, boolean rackAware, Map<Integer, Integer> overall) {
            this.topic = topic;
            this.racks = racks;
            this.rackAware = rackAware;
            this.overall = overall;
            racks.keySet().forEach(b -> {
                count.put(b, 0);
                leads.put(b, 0);
            });
            int total = 0;
            for (Map.Entry<Integer, List<Integer>> e : topic.partitions().entrySet()) {
                // A partition whose list is not the replication factor long is mid-move; leave it.
                if (e.getValue().size() != topic.replicationFactor()) {
                    continue;
                }
                replicas.put(e.getKey(), new ArrayList<>(e.getValue()));
                for (int b : e.getValue()) {
                    count.merge(b, 1, Integer::sum);
                }
                if (!e.getValue().isEmpty()) {
                    leads.merge(e.getValue().get(0), 1, Integer::sum);
                }
                total += e.getValue().size();
            }
            int brokers = racks.size();
            List<Integer> byClaim = new ArrayList<>(racks.keySet());
            // The extra replicas go where they already are, to move as little as possible.
            byClaim.sort(Comparator.<Integer>comparingInt(b -> -count.get(b)).thenComparingInt(overall::get)
                    .thenComparingInt(b -> b));
            for (int i = 0; i < byClaim.size(); i++) {
                quota.put(byClaim.get(i), total / brokers + (i < total % brokers ? 1 : 0));
            }
        }

        /** Moves replicas until every broker is within quota; returns how many moved. */
        int balance(List<String> unplaced) {
            int moved = 0;
            // Each move takes one replica from a broker over quota to one under it, so this ends.
            while (true) {
                Move best = null;
                for (Map.Entry<Integer, List<Integer>> e : replicas.entrySet()) {
                    List<Integer> rs = e.getValue();
                    for (int position = 0; position < rs.size(); position++) {
                        int from = rs.get(position);
                        if (excess(from) <= 0) {
                            continue;
                        }
                        for (int to : racks.keySet()) {
                            if (excess(to) >= 0 || rs.contains(to) || !keepsRackSpread(rs, position, to)) {
                                continue;
                            }
                            Move candidate = new Move(e.getKey(), position, from, to, rackGain(rs, position, to),
                                    position == 0 ? leads.get(from) - leads.get(to) - 1 : 0, excess(from), excess(to),
                                    overall.get(to));
                            if (best == null || candidate.betterThan(best)) {
                                best = candidate;
                            }
                        }
                    }
                }
                if (best == null) {
                    break;
                }
                apply(best);
                moved++;
            }
            racks.keySet().stream().filter(b -> excess(b) > 0).forEach(b -> unplaced.add(topic.topic() + ": broker " + b
                    + " keeps " + excess(b) + " replica(s) over its share (no move keeps the rack spread)"));
            replicas.values().stream().flatMap(List::stream).filter(b -> !racks.containsKey(b)).distinct()
                    .forEach(b -> unplaced.add(topic.topic() + ": broker " + b + " keeps replicas (no broker can take them)"));
            return moved;
        }

        /** Replicas above quota; a broker outside the set has a quota of 0. */
        private int excess(int broker) {
            return count.getOrDefault(broker, 0) - quota.getOrDefault(broker, 0);
        }

        private void apply(Move move) {
            List<Integer> rs = replicas.get(move.partition());
            rs.set(move.position(), move.to());
            count.merge(move.from(), -1, Integer::sum);
            count.merge(move.to(), 1, Integer::sum);
            overall.merge(move.from(), -1, Integer::sum);
            overall.merge(move.to(), 1, Integer::sum);
            if (move.position() == 0) {
                leads.merge(move.from(), -1, Integer::sum);
                leads.merge(move.to(), 1, Integer::sum);
            }
            changed.add(move.partition());
        }

        private boolean keepsRackSpread(List<Integer> rs, int position, int to) {
            return !rackAware || rackGain(rs, position, to) >= 0;
        }

        /** Distinct racks after the move minus before (0 when racks do not count). */
        private int rackGain(List<Integer> rs, int position, int to) {
            if (!rackAware) {
                return 0;
            }
            List<Integer> after = new ArrayList<>(rs);
            after.set(position, to);
            return distinctRacks(after) - distinctRacks(rs);
        }

        private int distinctRacks(List<Integer> rs) {
            return (int) rs.stream().map(b -> racks.getOrDefault(b, "?broker-" + b)).distinct().count();
        }

        SortedMap<Integer, List<Integer>> changed() {
            SortedMap<Integer, List<Integer>> result = new TreeMap<>();
            for (int p : changed) {
                if (!replicas.get(p).equals(topic.partitions().get(p))) {
                    result.put(p, List.copyOf(replicas.get(p)));
                }
            }
            return result;
        }
    }

    /**
     * One possible move of the replica at {@code position} of {@code partition} from {@code from} to
     * {@code to}, with what ranks it: rack gain, preferred-leader evening, how far over and under quota
     * the two brokers are, the receiver's overall load.
     */
    private record Move(int partition, int position, int from, int to, int rackGain, int leaderEvening, int fromExcess,
            int toExcess, int toOverall) {
        boolean betterThan(Move other) {
            return ORDER.compare(this, other) < 0;
        }

        private static final Comparator<Move> ORDER = Comparator.<Move>comparingInt(m -> -m.rackGain)
                .thenComparingInt(m -> -m.fromExcess)
                .thenComparingInt(m -> -m.leaderEvening)
                .thenComparingInt(m -> m.toExcess)
                .thenComparingInt(m -> m.toOverall)
                .thenComparingInt(m -> m.to)
                .thenComparingInt(m -> m.partition)
                .thenComparingInt(m -> m.position);
    }
}
