package io.sluice.cluster;

import java.util.List;

/**
 * The cluster's record of one partition: who leads it at which epoch, where its replicas are, and
 * which of them are in sync. Held in a replicated cache and changed only by a conditional write
 * ({@link MetadataStore#compareAndSet}) from one version to the next, so two writers that read the
 * same version cannot both win.
 *
 * @param topicId          the topic's id, so a state never outlives its topic under a re-created name
 * @param leader           the leader's broker id, or {@link #NO_LEADER}
 * @param leaderEpoch      bumped at every change of leader; stamped into every batch the leader writes
 * @param partitionEpoch   the version of this record: bumped at every change of it
 * @param replicas         the assigned replicas, preferred leader first
 * @param isr              the in-sync replicas (the leader among them while there is one)
 * @param targetReplicas   where a reassignment moves the replicas to; empty when none runs
 */
public record PartitionState(String topic, String topicId, int partition, int leader, int leaderEpoch,
        int partitionEpoch, List<Integer> replicas, List<Integer> isr, List<Integer> targetReplicas) {
    public static final int NO_LEADER = -1;

    public PartitionState {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
        targetReplicas = List.copyOf(targetReplicas);
    }

    /** A new partition led by its first replica at epoch 0, every replica in sync. */
    public static PartitionState initial(String topic, String topicId, int partition, List<Integer> replicas) {
        return new PartitionState(topic, topicId, partition, replicas.get(0), 0, 0, replicas, replicas, List.of());
    }

    /** A change of leader (or to no leader): the leader epoch and the version move on. */
    public PartitionState withLeader(int newLeader, List<Integer> newIsr) {
        return new PartitionState(topic, topicId, partition, newLeader, leaderEpoch + 1, partitionEpoch + 1,
                replicas, newIsr, targetReplicas);
    }

    /** A change of the in-sync set under the same leader: only the version moves on. */
    public PartitionState withIsr(List<Integer> newIsr) {
        return new PartitionState(topic, topicId, partition, leader, leaderEpoch, partitionEpoch + 1, replicas,
                newIsr, targetReplicas);
    }

    /** A change of the assignment or of the reassignment target: only the version moves on. */
    public PartitionState withReplicas(List<Integer> newReplicas, List<Integer> newIsr, List<Integer> newTarget) {
        return new PartitionState(topic, topicId, partition, leader, leaderEpoch, partitionEpoch + 1, newReplicas,
                newIsr, newTarget);
    }

    public boolean hasLeader() {
        return leader != NO_LEADER;
    }

    public boolean reassigning() {
        return !targetReplicas.isEmpty();
    }

    public TopicPartition key() {
        return new TopicPartition(topic, partition);
    }
}
