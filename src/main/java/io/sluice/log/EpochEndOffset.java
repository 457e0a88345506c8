package io.sluice.log;

/**
 * The answer to "where does epoch N end in this log" (Kafka's OffsetsForLeaderEpoch, KIP-279): the
 * largest epoch at or below the one asked for, and the offset right after its last record (the
 * next epoch's start offset, or the log end for the latest epoch). {@link #UNDEFINED} when the log
 * knows no such epoch.
 */
public record EpochEndOffset(int epoch, long endOffset) {
    public static final int UNDEFINED_EPOCH = -1;
    public static final long UNDEFINED_OFFSET = -1L;
    public static final EpochEndOffset UNDEFINED = new EpochEndOffset(UNDEFINED_EPOCH, UNDEFINED_OFFSET);
}
