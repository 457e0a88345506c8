package io.sluice.operator.roll;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerProblemException;
import io.sluice.operator.brokers.ReassignmentProgress;
import io.sluice.operator.brokers.TopicSummary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One topic's replica assignment as a plan needs it: its replication factor and each placed
 * partition's replicas (preferred leader first), plus the partitions a reassignment is moving now
 * (with their targets).
 */
public record TopicReplicas(String topic, int replicationFactor, SortedMap<Integer, List<Integer>> partitions,
        SortedMap<Integer, List<Integer>> moving) {
    public TopicReplicas {
        Objects.requireNonNull(topic, "topic");
        partitions = copy(partitions);
        moving = copy(moving);
    }

    public TopicReplicas(String topic, int replicationFactor, Map<Integer, List<Integer>> partitions) {
        this(topic, replicationFactor, new TreeMap<>(partitions), new TreeMap<>());
    }

    /** Every topic of the cluster, read with {@code GET /topics} and each topic's {@code GET /topics/{t}/reassignments}. */
    public static List<TopicReplicas> read(BrokerAdmin admin) {
        List<TopicReplicas> topics = new ArrayList<>();
        for (TopicSummary summary : admin.topics()) {
            List<ReassignmentProgress> progress;
            try {
                progress = admin.reassignments(summary.name());
            } catch (BrokerProblemException e) {
                if ("TOPIC_NOT_FOUND".equals(e.code())) {
                    continue; // deleted since the list
                }
                throw e;
            }
            SortedMap<Integer, List<Integer>> partitions = new TreeMap<>();
            SortedMap<Integer, List<Integer>> moving = new TreeMap<>();
            for (ReassignmentProgress p : progress) {
                partitions.put(p.partition(), p.replicas());
                if (p.inProgress()) {
                    moving.put(p.partition(), p.targetReplicas());
                }
            }
            topics.add(new TopicReplicas(summary.name(), summary.replicationFactor(), partitions, moving));
        }
        return topics;
    }

    public boolean isMoving() {
        return !moving.isEmpty();
    }

    private static SortedMap<Integer, List<Integer>> copy(Map<Integer, List<Integer>> map) {
        SortedMap<Integer, List<Integer>> copy = new TreeMap<>();
        if (map != null) {
            map.forEach((p, replicas) -> copy.put(p, List.copyOf(replicas)));
        }
        return Collections.unmodifiableSortedMap(copy);
    }
}
