package io.sluice.cluster;

import java.util.List;
import org.infinispan.conflict.EntryMergePolicy;
import org.infinispan.container.entries.CacheEntry;

/**
 * How a healed split settles a partition state that the two sides hold differently: the version with
 * the higher partition epoch wins. Only the majority side can write, so in a split proper the
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
            if (state.topicId().equals(bestState.topicId()) && state.partitionEpoch() > bestState.partitionEpoch()) {
                best = other;
                bestState = state;
            }
        }
        return best;
    }
}
