package io.sluice.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The partitions of the internal topic {@code __consumer_offsets}, as the coordinator uses them
 * (the broker implements it over its partitions). Keys and values are the bytes of
 * {@code GroupRecords}; a null value is a tombstone.
 */
public interface OffsetsTopic {
    String NAME = "__consumer_offsets";
    int PARTITIONS = 50;

    /** A record of the topic: key and value bytes, value null for a tombstone. */
    record Entry(byte[] key, byte[] value) {
    }

    /**
     * Appends {@code entries} to {@code partition} with {@code acks=all}. Completes once they are
     * committed (below the high watermark); fails with a {@code SluiceException} otherwise
     * (NOT_LEADER_OR_FOLLOWER when this broker no longer leads it), and then nothing may be assumed written.
     */
    CompletableFuture<Void> append(int partition, List<Entry> entries);

    /**
     * Reads {@code partition} from its log start to its end, in offset order, giving each record to
     * {@code sink} (on one thread at a time). Completes when the end is reached.
     */
    CompletableFuture<Void> replay(int partition, Consumer<Entry> sink);
}
