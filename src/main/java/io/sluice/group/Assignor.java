package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Computes a group's target assignment: which member is to own which partition. Pure and
 * deterministic: the same members, subscriptions, partition counts and current assignment always
 * give the same answer, so every coordinator incarnation agrees. Every member is in the result,
 * possibly with nothing; every partition of a subscribed topic goes to exactly one subscriber.
 */
interface Assignor {
    /**
     * @param subscriptions  member id to the topics it reads, sorted by member id
     * @param partitionCounts topic to its partition count (0 for a topic that does not exist)
     * @param current        the previous target of each member (the sticky assignor keeps what it can)
     */
    Map<String, Set<TopicPartition>> assign(SortedMap<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts, Map<String, Set<TopicPartition>> current);

    static Assignor of(AssignmentStrategy strategy) {
        return switch (strategy) {
            case RANGE -> new RangeAssignor();
            case ROUNDROBIN -> new RoundRobinAssignor();
            case STICKY -> new StickyAssignor();
        };
    }

    /** Every member with an empty, mutable, ordered set. */
    static Map<String, Set<TopicPartition>> emptyAssignment(SortedMap<String, Set<String>> subscriptions) {
        Map<String, Set<TopicPartition>> result = new HashMap<>();
        for (String member : subscriptions.keySet()) {
            result.put(member, new TreeSet<>(Assignor::compare));
        }
        return result;
    }

    /** The partitions of every subscribed topic, by topic name then partition. */
    static List<TopicPartition> allPartitions(SortedMap<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts) {
        TreeSet<String> topics = new TreeSet<>();
        subscriptions.values().forEach(topics::addAll);
        List<TopicPartition> all = new ArrayList<>();
        for (String topic : topics) {
            int count = partitionCounts.getOrDefault(topic, 0);
            for (int p = 0; p < count; p++) {
                all.add(new TopicPartition(topic, p));
            }
        }
        return all;
    }

    static int compare(TopicPartition a, TopicPartition b) {
        int c = a.topic().compareTo(b.topic());
        return c != 0 ? c : Integer.compare(a.partition(), b.partition());
    }
}
