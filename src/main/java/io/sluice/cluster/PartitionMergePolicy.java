package io.sluice.cluster;

import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * How a healed split settles a partition state that the two sides hold differently: the version with
 * the higher leader epoch wins, then the one with the higher partition epoch. Only the majority side
 * can write, so in a split proper the majority's copy is the newer one; the rule also settles the
 * rarer case of two brokers that each formed a cluster of their own while starting. A state of another
 * incarnation of the topic (another topic id) never replaces the preferred one.
 *
 * <p>A merge never removes a state: where the preferred side has none, the newest other copy is kept.
 * Infinispan reads "none" from a preferred member that was lost while the merge resolved conflicts as
 * well as from one that removed the state, and a lost state would be placed again from epoch 0. A
 * state kept for a deleted topic is an orphan, which the controller removes.
 */
final class PartitionMergePolicy implements EntryMergePolicy<String, String> {
    @Override
    public CacheEntry<String, String> merge(CacheEntry<String, String> preferred,
            List<CacheEntry<String, String>> others) {
        CacheEntry<String, String> best = preferred == null || preferred.getValue() == null ? null : preferred;
        PartitionState bestState = best == null ? null : MetadataCodec.decodePartition(best.getValue());
        for (CacheEntry<String, String> other : others) {
            if (other == null || other.getValue() == null) {
                continue;
            }
            PartitionState state = MetadataCodec.decodePartition(other.getValue());
            if (bestState == null
                    || state.topicId().equals(bestState.topicId()) && newer(state, bestState)) {
                best = other;
                bestState = state;
            }
        }
        return best;
    }

    /**
     * The higher leader epoch wins, then the higher partition epoch: a leader cut off from the
     * majority may have changed its ISR (one version up) in the moment before its side stopped
     * taking writes, while the majority elected a new leader (also one version up, one epoch up).
     */
    private static boolean newer(PartitionState a, PartitionState b) {
        return a.leaderEpoch() != b.leaderEpoch() ? a.leaderEpoch() > b.leaderEpoch()
                : a.partitionEpoch() > b.partitionEpoch();
    }
}
