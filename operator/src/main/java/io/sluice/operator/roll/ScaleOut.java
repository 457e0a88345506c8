package io.sluice.operator.roll;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerAdminException;
import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.ReplicationHealth;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Moves partitions onto brokers added by a scale-out, and reports how far that has come. Stateless
 * and idempotent, so it can run at every reconciliation: it waits until brokers {@code 0..replicas-1}
 * are registered and alive, waits while any partition is being moved, and otherwise, if some broker
 * holds less than its share of all replicas (a new broker holds none), submits the
 * {@link ReplicaBalancer} plan with {@code POST /topics/{t}/reassignments}. Once the plan is empty the
 * scale-out is complete; a balanced cluster never moves anything, so partitions do not move just
 * because a topic was created.
 *
 * <p>Internal topics ({@code __consumer_offsets}) are moved like any other: the brokers accept a
 * reassignment of them (only creating, deleting, reconfiguring, growing and producing to them are
 * refused), and the plan keeps their replication factor, as it does every topic's.
 */
public final class ScaleOut {
    private static final System.Logger LOG = System.getLogger(ScaleOut.class.getName());

    /**
     * @param complete  nothing left to move (or nothing to do)
     * @param message   for the Reconciling condition while not complete, and for people after
     * @param submitted replica moves submitted by this call
     */
    public record Progress(boolean complete, String message, int submitted) {
        static Progress done(String message) {
            return new Progress(true, message, 0);
        }

        static Progress waiting(String message) {
            return new Progress(false, message, 0);
        }
    }

    private final BrokerAdmin admin;

    public ScaleOut(BrokerAdmin admin) {
        this.admin = Objects.requireNonNull(admin, "admin");
    }

    /** One step towards spreading the replicas over brokers {@code 0..replicas-1}. */
    public Progress step(int replicas) {
        try {
            return stepOrThrow(replicas);
        } catch (BrokerAdminException e) {
            return Progress.waiting("cannot move partitions yet: " + e.getMessage());
        }
    }

    private Progress stepOrThrow(int replicas) {
        ClusterInfo cluster = admin.cluster();
        if (!cluster.quorum()) {
            return Progress.waiting("waiting: the broker that answered is not in a majority of the cluster");
        }
        List<Integer> absent = IntStream.range(0, replicas).filter(id -> !cluster.isAlive(id)).boxed().toList();
        if (!absent.isEmpty()) {
            return Progress.waiting("waiting for broker(s) " + join(absent) + " to register and be alive");
        }
        List<TopicReplicas> topics = TopicReplicas.read(admin);
        List<TopicReplicas> moving = topics.stream().filter(TopicReplicas::isMoving).toList();
        if (!moving.isEmpty()) {
            int partitions = moving.stream().mapToInt(t -> t.moving().size()).sum();
            return Progress.waiting("moving " + partitions + " partition(s) of " + moving.stream()
                    .map(TopicReplicas::topic).collect(Collectors.joining(", ")) + " (new replicas catching up)");
        }
        Map<Integer, String> brokers = new TreeMap<>();
        for (int id = 0; id < replicas; id++) {
            brokers.put(id, cluster.broker(id).map(ClusterInfo.Member::rack).filter(r -> !r.isBlank()).orElse(null));
        }
        List<Integer> underloaded = underloaded(topics, brokers.keySet().stream().toList());
        if (underloaded.isEmpty()) {
            return Progress.done("every broker holds its share of the replicas");
        }
        ReplicationHealth health = admin.replicationHealth(cluster);
        if (!health.whole()) {
            return Progress.waiting("waiting to move partitions onto broker(s) " + join(underloaded) + ": "
                    + health.underReplicatedPartitions() + " under-replicated and " + health.offlinePartitions()
                    + " offline partition(s)");
        }
        ReassignmentPlan plan = ReplicaBalancer.plan(topics, brokers);
        if (plan.isEmpty()) {
            return Progress.done("balanced as far as the topics allow"
                    + (plan.unplaced().isEmpty() ? "" : " (" + String.join("; ", plan.unplaced()) + ")"));
        }
        for (Map.Entry<String, ? extends Map<Integer, List<Integer>>> topic : plan.targets().entrySet()) {
            LOG.log(Level.INFO, "scale-out: reassigning {0}: {1}", topic.getKey(), topic.getValue());
            admin.reassign(topic.getKey(), topic.getValue());
        }
        return new Progress(false, "moving " + plan.moves() + " replica(s) of " + plan.targets().size()
                + " topic(s) to spread them over brokers 0.." + (replicas - 1), plan.moves());
    }

    /** Brokers holding fewer than an even share (rounded down) of all replicas: a new broker holds none. */
    static List<Integer> underloaded(List<TopicReplicas> topics, List<Integer> brokers) {
        Map<Integer, Integer> load = new TreeMap<>();
        brokers.forEach(b -> load.put(b, 0));
        int total = 0;
        for (TopicReplicas topic : topics) {
            for (List<Integer> rs : topic.partitions().values()) {
                for (int b : rs) {
                    load.merge(b, 1, Integer::sum);
                    total++;
                }
            }
        }
        int share = total / brokers.size();
        return brokers.stream().filter(b -> load.get(b) < share).toList();
    }

    private static String join(List<Integer> ids) {
        return ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
