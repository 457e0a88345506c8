package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * Kafka's RoundRobinAssignor: every partition of every subscribed topic, by topic then partition,
 * dealt to the members in id order in turn; a member that does not read a partition's topic is
 * passed over for it, and the deal goes on from the member after the one that took it.
 */
final class RoundRobinAssignor implements Assignor {
    @Override
    public Map<String, Set<TopicPartition>> assign(SortedMap<String, Set<String>> subscriptions,
            Map<String, Integer> partitionCounts, Map<String, Set<TopicPartition>> current) {
        Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
        List<String> members = new ArrayList<>(subscriptions.keySet());
        int turn = 0;
        for (TopicPartition tp : Assignor.allPartitions(subscriptions, partitionCounts)) {
            // Some member reads the topic (it is in the union of subscriptions), so this ends.
            while (!subscriptions.get(members.get(turn % members.size())).contains(tp.topic())) {
                turn++;
            }
            result.get(members.get(turn % members.size())).add(tp);
            turn++;
        }
        return result;
    }
}
