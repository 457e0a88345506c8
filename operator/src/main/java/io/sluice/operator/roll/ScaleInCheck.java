package io.sluice.operator.roll;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerAdminException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Whether the StatefulSet may shrink. The operator does not move data off brokers that are being
 * removed: a scale-in is refused while any broker with an id at or above the new replica count still
 * holds (or is being given) a replica, and the StatefulSet keeps its current size. The brokers' own
 * reassignment moves the replicas away first; then the same change of {@code spec.replicas} goes through.
 */
public final class ScaleInCheck {
    private static final int EXAMPLES = 5;

    /**
     * @param allowed  whether the StatefulSet may go to the desired replica count
     * @param replicas the replica count to apply to the StatefulSet now
     * @param message  why not, naming brokers and partitions, for a status condition; empty when allowed
     */
    public record Result(boolean allowed, int replicas, String message) {
    }

    private ScaleInCheck() {
    }

    /** Asks the brokers where every replica is; refuses when they cannot say. */
    public static Result check(BrokerAdmin admin, int currentReplicas, int desiredReplicas) {
        if (desiredReplicas >= currentReplicas) {
            return new Result(true, desiredReplicas, "");
        }
        try {
            return check(TopicReplicas.read(admin), currentReplicas, desiredReplicas);
        } catch (BrokerAdminException e) {
            return new Result(false, currentReplicas, "scale-in from " + currentReplicas + " to " + desiredReplicas
                    + " brokers refused: cannot verify that broker(s) " + range(desiredReplicas, currentReplicas)
                    + " hold no replicas (" + e.getMessage() + ")");
        }
    }

    /** As {@link #check(BrokerAdmin, int, int)}, over assignments already read. */
    public static Result check(List<TopicReplicas> topics, int currentReplicas, int desiredReplicas) {
        if (desiredReplicas >= currentReplicas) {
            return new Result(true, desiredReplicas, "");
        }
        Set<Integer> holders = new TreeSet<>();
        List<String> examples = new ArrayList<>();
        int held = 0;
        for (TopicReplicas topic : topics) {
            Map<Integer, List<Integer>> all = new TreeMap<>(topic.partitions());
            for (Map.Entry<Integer, List<Integer>> e : all.entrySet()) {
                List<Integer> brokers = new ArrayList<>(e.getValue());
                brokers.addAll(topic.moving().getOrDefault(e.getKey(), List.of()));
                List<Integer> removed = brokers.stream().distinct().filter(b -> b >= desiredReplicas).toList();
                if (!removed.isEmpty()) {
                    holders.addAll(removed);
                    held += removed.size();
                    if (examples.size() < EXAMPLES) {
                        examples.add(topic.topic() + "-" + e.getKey() + " on " + e.getValue());
                    }
                }
            }
        }
        if (holders.isEmpty()) {
            return new Result(true, desiredReplicas, "");
        }
        return new Result(false, currentReplicas, "scale-in from " + currentReplicas + " to " + desiredReplicas
                + " brokers refused: broker(s) " + holders.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + " still hold " + held + " replica(s) (" + String.join(", ", examples) + (held > examples.size() ? ", ..." : "")
                + "); move them to brokers 0.." + (desiredReplicas - 1)
                + " with POST /topics/{t}/reassignments first, the operator does not move data off brokers it removes");
    }

    private static String range(int from, int to) {
        return from == to - 1 ? Integer.toString(from) : from + ".." + (to - 1);
    }
}
