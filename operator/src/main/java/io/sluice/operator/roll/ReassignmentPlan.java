package io.sluice.operator.roll;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The partitions to move, per topic: each named partition's new replica list, in the order the
 * body of {@code POST /topics/{t}/reassignments} takes. {@code moves} counts replicas that change
 * broker (each one a copy of the partition's data); {@code unplaced} says which replicas could not
 * be moved without breaking the rack spread, empty when the plan balances everything.
 */
public record ReassignmentPlan(SortedMap<String, SortedMap<Integer, List<Integer>>> targets, int moves,
        List<String> unplaced) {
    public ReassignmentPlan {
        SortedMap<String, SortedMap<Integer, List<Integer>>> copy = new TreeMap<>();
        targets.forEach((topic, partitions) -> {
            if (!partitions.isEmpty()) {
                SortedMap<Integer, List<Integer>> inner = new TreeMap<>();
                partitions.forEach((p, replicas) -> inner.put(p, List.copyOf(replicas)));
                copy.put(topic, Collections.unmodifiableSortedMap(inner));
            }
        });
        targets = Collections.unmodifiableSortedMap(copy);
        unplaced = List.copyOf(unplaced);
    }

    public boolean isEmpty() {
        return targets.isEmpty();
    }

    /** The targets of one topic, empty when it does not move. */
    public Map<Integer, List<Integer>> targets(String topic) {
        return targets.getOrDefault(topic, Collections.emptySortedMap());
    }
}
