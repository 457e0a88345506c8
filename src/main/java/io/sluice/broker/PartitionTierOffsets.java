package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.SluiceException;
import io.sluice.replication.TieredOffsets;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;

/**
 * The broker's answer to replication's {@link TieredOffsets}: a leader's partitions say how far
 * their bucket range goes ({@link Tier#tieredEndOffset}), a follower's remote views keep what
 * their leader said, for local retention.
 */
final class PartitionTierOffsets implements TieredOffsets {
    private final Topics topics;
    private final Tier tier;

    PartitionTierOffsets(Topics topics, Tier tier) {
        this.topics = topics;
        this.tier = tier;
    }

    @Override
    public long tieredEndOffset(TopicPartition tp) {
        Partition p = find(tp);
        if (p == null || p.remote() == null || !p.log().config().remoteStorage()) {
            return -1;
        }
        return tier.tieredEndOffset(p.remote(), p.localLogStartOffset());
    }

    @Override
    public void leaderTieredEnd(TopicPartition tp, long tieredEndOffset) {
        Partition p = find(tp);
        RemoteLog remote = p == null ? null : p.remote();
        if (remote != null) {
            remote.leaderTieredEnd(tieredEndOffset);
        }
    }

    private Partition find(TopicPartition tp) {
        Topic t = topics.find(tp.topic());
        try {
            return t == null || !t.holds(tp.partition()) ? null : t.partition(tp.partition());
        } catch (SluiceException removedMeanwhile) {
            return null;
        }
    }
}
