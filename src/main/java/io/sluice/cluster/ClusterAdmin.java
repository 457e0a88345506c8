package io.sluice.cluster;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The cluster-wide admin operations any broker performs on behalf of a client: they validate the
 * request against the cluster's metadata and write it; the controller does the rest (placing the
 * partitions of a new topic, carrying out a reassignment). Errors are typed for the client.
 */
public final class ClusterAdmin {
    /** A lost race re-reads the state; this many in a row means something rewrites it in a loop. */
    private static final int MAX_ATTEMPTS = 16;

    private final MetadataStore store;

    public ClusterAdmin(MetadataStore store) {
        this.store = store;
    }

    /**
     * Registers a topic; the controller assigns its partitions. A replication factor larger than
     * the brokers that ever registered can never be met and is refused; one larger than the brokers
     * alive right now is accepted and waits for them (see the controller).
     */
    public void createTopic(ClusterTopic topic) {
        if (topic.partitions() < 1) {
            throw new SluiceException(ErrorCode.INVALID_PARTITIONS,
                    "a topic needs at least 1 partition, got " + topic.partitions());
        }
        int brokers = store.brokers().size();
        if (topic.replicationFactor() < 1 || topic.replicationFactor() > brokers) {
            throw invalid("replication factor " + topic.replicationFactor() + " is not between 1 and the "
                    + brokers + " brokers of the cluster");
        }
        if (!store.createTopic(topic)) {
            throw new SluiceException(ErrorCode.TOPIC_ALREADY_EXISTS, "topic " + topic.name() + " already exists");
        }
    }

    /**
     * Grows a topic to {@code partitions}; the controller places the new ones. Partitions never
     * shrink: a count not above the current one is refused.
     */
    public void growPartitions(String topic, int partitions) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            ClusterTopic t = topicOrThrow(topic);
            if (partitions <= t.partitions()) {
                throw new SluiceException(ErrorCode.INVALID_PARTITIONS, "topic " + topic + " has " + t.partitions()
                        + " partitions; it can only grow, not to " + partitions);
            }
            ClusterTopic grown = new ClusterTopic(t.name(), t.id(), partitions, t.replicationFactor(), t.config(),
                    t.createdAtMs());
            if (store.replaceTopic(t, grown)) {
                return;
            }
        }
        throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "topic " + topic + " changed under "
                + MAX_ATTEMPTS + " attempts to grow it; retry");
    }

    /**
     * Starts moving the given partitions to the given replicas (the first of each list becomes the
     * preferred leader). Everything is validated before anything is written: the partitions exist
     * and have been placed, each target has the topic's replication factor, names distinct brokers,
     * all of them alive. Partitions are written one by one; a partition already moving gets the new
     * target, and its replicas end as the new target. A target equal to the current replicas with no
     * reassignment running writes nothing.
     */
    public void requestReassignment(String topic, Map<Integer, List<Integer>> targets) {
        ClusterTopic t = topicOrThrow(topic);
        if (targets.isEmpty()) {
            throw invalid("a reassignment names at least one partition");
        }
        Set<Integer> live = store.liveBrokers();
        Map<Integer, BrokerInfo> registered = store.brokers();
        Map<Integer, List<Integer>> sorted = new TreeMap<>(targets);
        for (Map.Entry<Integer, List<Integer>> e : sorted.entrySet()) {
            validateTarget(t, e.getKey(), e.getValue(), registered, live);
            stateOrThrow(t, e.getKey());
        }
        for (Map.Entry<Integer, List<Integer>> e : sorted.entrySet()) {
            writeTarget(t, e.getKey(), List.copyOf(e.getValue()));
        }
    }

    /** Every partition of the topic, whether it is moving or not, in partition order. */
    public List<ReassignmentProgress> reassignmentProgress(String topic) {
        ClusterTopic t = topicOrThrow(topic);
        List<ReassignmentProgress> result = new ArrayList<>();
        for (int p = 0; p < t.partitions(); p++) {
            store.partition(new TopicPartition(topic, p))
                    .filter(s -> s.topicId().equals(t.id()))
                    .ifPresent(s -> result.add(ReassignmentProgress.of(s)));
        }
        return result;
    }

    /**
     * Marks a registered broker draining, or no longer draining; the controller moves leadership
     * accordingly. BROKER_NOT_FOUND for an id that never registered; BROKER_BUSY (retry, or ask a
     * broker of the majority) when this broker may not change metadata.
     */
    public void setDraining(int broker, boolean draining) {
        if (!store.brokers().containsKey(broker)) {
            throw new SluiceException(ErrorCode.BROKER_NOT_FOUND, "broker " + broker + " is not a broker of the "
                    + "cluster (registered: " + store.brokers().keySet() + ")");
        }
        try {
            store.setDraining(broker, draining);
        } catch (MetadataUnavailableException e) {
            throw new SluiceException(ErrorCode.BROKER_BUSY, "broker " + store.localBrokerId() + " cannot change "
                    + "the cluster's metadata now (not in its majority, or stopping); retry, or ask another broker");
        }
    }

    /** The partitions {@code broker} leads, as the cluster's metadata records them. */
    public int leaderships(int broker) {
        int led = 0;
        for (PartitionState s : store.partitions()) {
            if (s.leader() == broker) {
                led++;
            }
        }
        return led;
    }

    /**
     * The partitions {@code broker} leads that the controller can move: another replica is alive,
     * in sync and not draining. Once this is 0, waiting longer for a drain changes nothing until a
     * replica rejoins the ISR or a broker stops draining.
     */
    public int movableLeaderships(int broker) {
        Set<Integer> live = store.liveBrokers();
        Set<Integer> draining = store.drainingBrokers();
        int movable = 0;
        for (PartitionState s : store.partitions()) {
            if (s.leader() == broker && s.isr().stream()
                    .anyMatch(r -> r != broker && live.contains(r) && !draining.contains(r))) {
                movable++;
            }
        }
        return movable;
    }

    private void writeTarget(ClusterTopic topic, int partition, List<Integer> target) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            PartitionState state = stateOrThrow(topic, partition);
            if (state.targetReplicas().equals(target)
                    || (!state.reassigning() && state.replicas().equals(target))) {
                return;
            }
            if (store.compareAndSet(state, state.withReplicas(state.replicas(), state.isr(), target))) {
                return;
            }
        }
        throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, topic.name() + "-" + partition
                + " changed under " + MAX_ATTEMPTS + " attempts to write its reassignment; retry");
    }

    private static void validateTarget(ClusterTopic topic, int partition, List<Integer> target,
            Map<Integer, BrokerInfo> registered, Set<Integer> live) {
        String where = topic.name() + "-" + partition;
        if (partition < 0 || partition >= topic.partitions()) {
            throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "topic " + topic.name() + " has no partition "
                    + partition);
        }
        if (target == null || target.size() != topic.replicationFactor()) {
            throw invalid(where + ": the target must name " + topic.replicationFactor()
                    + " replicas (the topic's replication factor), got " + target);
        }
        if (new HashSet<>(target).size() != target.size()) {
            throw invalid(where + ": the target names a broker twice: " + target);
        }
        for (Integer broker : target) {
            if (broker == null || !registered.containsKey(broker)) {
                throw invalid(where + ": broker " + broker + " is not a broker of the cluster");
            }
            if (!live.contains(broker)) {
                throw invalid(where + ": broker " + broker + " is not alive");
            }
        }
    }

    private ClusterTopic topicOrThrow(String topic) {
        ClusterTopic t = store.topics().get(topic);
        if (t == null) {
            throw new SluiceException(ErrorCode.TOPIC_NOT_FOUND, "topic " + topic + " does not exist");
        }
        return t;
    }

    private PartitionState stateOrThrow(ClusterTopic topic, int partition) {
        Optional<PartitionState> state = store.partition(new TopicPartition(topic.name(), partition))
                .filter(s -> s.topicId().equals(topic.id()));
        return state.orElseThrow(() -> new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE,
                topic.name() + "-" + partition + " has not been placed on brokers yet; retry"));
    }

    private static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
