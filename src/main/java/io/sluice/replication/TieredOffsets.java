package io.sluice.replication;

import io.sluice.cluster.TopicPartition;

/**
 * Where replication meets the object-store tier, which it does not know: a leader says in every
 * fetch reply below which offset the partition's records are in the bucket, and a follower keeps
 * what its leader said, so that its retention may delete local segments the bucket holds.
 */
public interface TieredOffsets {
    /** No tier: the leader says nothing (-1) and a follower ignores it. */
    TieredOffsets NONE = new TieredOffsets() {
        @Override
        public long tieredEndOffset(TopicPartition partition) {
            return -1;
        }

        @Override
        public void leaderTieredEnd(TopicPartition partition, long tieredEndOffset) {
        }
    };

    /** Leader side: every offset below this is in the object store, or -1 when that is not known. */
    long tieredEndOffset(TopicPartition partition);

    /** Follower side: the leader's {@link #tieredEndOffset} from a fetch reply (never -1). */
    void leaderTieredEnd(TopicPartition partition, long tieredEndOffset);
}
