package io.sluice.cluster;

import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * How a healed split settles a partition state that the two sides hold differently: the version with
 * the higher leader epoch wins, then the one with the higher partition epoch. Only the majority side can write, so in a split proper the
 * majority's copy is the newer one; the rule also settles the rarer case of two brokers that each
 * formed a cluster of their own while starting. A state removed on the preferred side (its topic was
 * deleted) stays removed, and a state of another incarnation of the topic (another topic id) never
 * replaces the preferred one.
 */
final class PartitionMergePolicy implements EntryMergePolicy<String, String> {
    @Override
    public CacheEntry<String, String> merge(CacheEntry<String, String> preferred,
            List<CacheEntry<String, String>> others) {
        if (preferred == null || preferred.getValue() == null) {
            return null;
        }
        CacheEntry<String, String> best = preferred;
        PartitionState bestState = MetadataCodec.decodePartition(preferred.getValue());
        for (CacheEntry<String, String> other : others) {
            if (other == null || other.getValue() == null) {
                continue;
            }
            PartitionState state = MetadataCodec.decodePartition(other.getValue());
            if (state.topicId().equals(bestState.topicId()) && newer(state, bestState)) {
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
