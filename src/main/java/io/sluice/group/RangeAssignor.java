package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeSet;

/**
 * Kafka's RangeAssignor: per topic, its subscribers in member-id order each take a run of
 * consecutive partitions; the first {@code partitions % subscribers} take one more. Topics are
 * split independently, so with many topics the first members carry the remainders of each.
 */
final class RangeAssignor implements Assignor {
    @Override
    public Map<String, Set<TopicPartition>> assign(SortedMap<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts, Map<String, Set<TopicPartition>> current) {
        Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
        TreeSet<String> topics = new TreeSet<>();
        subscriptions.values().forEach(topics::addAll);
        for (String topic : topics) {
            List<String> subscribers = new ArrayList<>();
            subscriptions.forEach((member, subscribed) -> {
                if (subscribed.contains(topic)) {
                    subscribers.add(member);
                }
            });
            int partitions = partitionCounts.getOrDefault(topic, 0);
            int each = partitions / subscribers.size();
            int extra = partitions % subscribers.size();
            int next = 0;
            for (int i = 0; i < subscribers.size(); i++) {
                int take = each + (i < extra ? 1 : 0);
                for (int k = 0; k < take; k++) {
                    result.get(subscribers.get(i)).add(new TopicPartition(topic, next++));
                }
            }
        }
        return result;
    }
}
