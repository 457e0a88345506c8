package io.sluice.api;

import io.sluice.cluster.TopicPartition;
import java.util.concurrent.CompletableFuture;

/**
 * One partition a {@link ReadLoop} reads: the next offset to send from it, its wait for data, and
 * the position its client has acknowledged with credit (what a group commits). A position taken
 * out of the loop is marked removed, so that a read or an acknowledgement still under way for it
 * is dropped rather than applied to a partition the reader no longer owns. Touched only on the
 * owning session's executor.
 */
final class ReadPosition {
    /** {@link #acknowledged} before the client acknowledged any frame of this partition. */
    static final long NONE = -1;

    final String topic;
    final String topicId;
    final int partition;
    long next;
    CompletableFuture<Void> parked;
    boolean removed;
    /** The offset after the last record of the last acknowledged frame, or {@link #NONE}. */
    long acknowledged = NONE;

    ReadPosition(ConsumeRequest.Start start) {
        this.topic = start.topic();
        this.topicId = start.topicId();
        this.partition = start.partition();
        this.next = start.offset();
    }

    TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    boolean is(String topic, int partition) {
        return this.partition == partition && this.topic.equals(topic);
    }

    String name() {
        return topic + "-" + partition;
    }
}
