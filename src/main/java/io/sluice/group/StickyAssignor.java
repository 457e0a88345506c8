package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Balanced and sticky, after Kafka's sticky assignors: members that read the same topics end
 * with partition counts that differ by at most one, and as many partitions as that balance allows
 * stay with their current owner, so a rebalance moves few partitions (with the cooperative
 * protocol, only those stop being read for a moment).
 *
 * <p>Each member keeps its current partitions up to its share ({@code floor(P/n)}, or one more for
 * the {@code P % n} members that currently hold the most, which is what keeps the moves minimal);
 * the rest go one by one to the eligible member holding the fewest. When members read different
 * topics a last pass moves partitions from a member to an eligible one holding two or more fewer,
 * until none can move.
 */
final class StickyAssignor implements Assignor {
    @Override
    public Map<String, Set<TopicPartition>> assign(SortedMap<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts, Map<String, Set<TopicPartition>> current) {
        Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
        if (subscriptions.isEmpty()) {
            return result;
        }
        List<TopicPartition> all = Assignor.allPartitions(subscriptions, partitionCounts);
        Set<TopicPartition> valid = new HashSet<>(all);
        int floor = all.size() / subscriptions.size();
        int extra = all.size() % subscriptions.size();

        Map<String, List<TopicPartition>> retained = new java.util.HashMap<>();
        subscriptions.forEach((member, topics) -> {
            TreeSet<TopicPartition> kept = new TreeSet<>(Assignor::compare);
            for (TopicPartition tp : current.getOrDefault(member, Set.of())) {
                if (valid.contains(tp) && topics.contains(tp.topic())) {
                    kept.add(tp);
                }
            }
            retained.put(member, new ArrayList<>(kept));
        });
        List<String> mostRetainedFirst = new ArrayList<>(subscriptions.keySet());
        mostRetainedFirst.sort(Comparator.comparingInt((String m) -> -retained.get(m).size())
                .thenComparing(Comparator.naturalOrder()));
        Set<TopicPartition> taken = new HashSet<>();
        for (String member : mostRetainedFirst) {
            List<TopicPartition> kept = retained.get(member);
            int cap = floor;
            if (kept.size() > floor && extra > 0) {
                cap = floor + 1;
                extra--;
            }
            for (TopicPartition tp : kept) {
                if (result.get(member).size() == cap) {
                    break;
                }
                if (taken.add(tp)) { // two members claiming one partition: the first keeps it
                    result.get(member).add(tp);
                }
            }
        }
        for (TopicPartition tp : all) {
            if (!taken.contains(tp)) {
                result.get(fewest(subscriptions, result, tp.topic(), Integer.MAX_VALUE)).add(tp);
            }
        }
        if (!uniform(subscriptions)) {
            balance(subscriptions, result, all);
        }
        return result;
    }

    /** The eligible member holding the fewest partitions (the lowest id among equals), if fewer than {@code below}. */
    private static String fewest(SortedMap<String, Set<String>> subscriptions, Map<String, Set<TopicPartition>> result,
            String topic, int below) {
        String best = null;
        int bestSize = below;
        for (Map.Entry<String, Set<String>> e : subscriptions.entrySet()) {
            int size = result.get(e.getKey()).size();
            if (e.getValue().contains(topic) && size < bestSize) {
                best = e.getKey();
                bestSize = size;
            }
        }
        return best;
    }

    private static boolean uniform(SortedMap<String, Set<String>> subscriptions) {
        Set<String> first = subscriptions.get(subscriptions.firstKey());
        return subscriptions.values().stream().allMatch(first::equals);
    }

    /** Each move lowers the sum of squared counts, so the loop ends. */
    private static void balance(SortedMap<String, Set<String>> subscriptions, Map<String, Set<TopicPartition>> result,
            List<TopicPartition> all) {
        Map<TopicPartition, String> owner = new java.util.HashMap<>();
        result.forEach((member, tps) -> tps.forEach(tp -> owner.put(tp, member)));
        boolean moved = true;
        while (moved) {
            moved = false;
            for (TopicPartition tp : all) {
                String from = owner.get(tp);
                String to = fewest(subscriptions, result, tp.topic(), result.get(from).size() - 1);
                if (to != null) {
                    result.get(from).remove(tp);
                    result.get(to).add(tp);
                    owner.put(tp, to);
                    moved = true;
                }
            }
        }
    }
}
