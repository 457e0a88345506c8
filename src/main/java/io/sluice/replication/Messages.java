package io.sluice.replication;

import io.sluice.cluster.TopicPartition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The requests and replies of the inter-broker protocol: follower fetches, position reports, the
 * leader-epoch end-offset lookup a follower truncates by (as Kafka's KIP-279), and the produce and
 * read requests a broker forwards to a partition's leader. {@link FrameCodec} puts them on the wire.
 *
 * <p>An error travels as an {@link io.sluice.error.ErrorCode} name and a message; {@code null} is no error.
 */
public final class Messages {
    private Messages() {
    }

    /** Record batches in a reply: bytes in hand, or a region of a segment file sent without copying it. */
    public sealed interface Records permits HeapRecords, FileRecords {
        int sizeInBytes();
    }

    public record HeapRecords(ByteBuffer bytes) implements Records {
        public static final HeapRecords EMPTY = new HeapRecords(ByteBuffer.allocate(0));

        @Override
        public int sizeInBytes() {
            return bytes.remaining();
        }
    }

    public record FileRecords(Path file, long position, int length) implements Records {
        @Override
        public int sizeInBytes() {
            return length;
        }
    }

    public record Error(String code, String message) {
    }

    // ---- follower fetch --------------------------------------------------------------------------

    /**
     * @param fetchOffset      the follower's log end: where to read from
     * @param durableOffset    how far the follower's log is fsynced: its position for the high watermark
     * @param lastFetchedEpoch the epoch of the follower's last batch, or -1 when its log is empty
     */
    public record FetchPartition(TopicPartition partition, int currentLeaderEpoch, long fetchOffset,
            long durableOffset, int lastFetchedEpoch) {
    }

    /** @param maxWaitMs how long the leader may hold the request when it has nothing new */
    public record FetchRequest(int replicaId, int maxWaitMs, int maxBytes, List<FetchPartition> partitions) {
    }

    /**
     * @param tieredEndOffset the offset below which every record is in the object store (a
     *                        follower may delete local segments below it), or -1
     */
    public record FetchedPartition(TopicPartition partition, Error error, int leaderEpoch, long highWatermark,
            long logStartOffset, long localLogStartOffset, long tieredEndOffset, Records records) {
    }

    public record FetchResponse(List<FetchedPartition> partitions) {
    }

    /** A follower's fsync moved its position on: sent at once, answered by nothing. */
    public record PositionUpdate(int replicaId, List<FetchPartition> partitions) {
    }

    // ---- truncation by leader epoch ----------------------------------------------------------

    public record EpochEndRequest(int replicaId, List<EpochQuery> partitions) {
    }

    /** @param epoch the follower's latest epoch, whose end on the leader it asks for */
    public record EpochQuery(TopicPartition partition, int currentLeaderEpoch, int epoch) {
    }

    /**
     * @param epoch     the largest epoch on the leader at or below the one asked for
     * @param endOffset where that epoch ends on the leader (the start of the next, or its log end)
     */
    public record EpochEnd(TopicPartition partition, Error error, int epoch, long endOffset) {
    }

    public record EpochEndResponse(List<EpochEnd> partitions) {
    }

    // ---- forwarded client requests -----------------------------------------------------------

    /** @param acks 0, 1 or -1 (all); @param batch one encoded batch, offsets not yet assigned */
    public record ProduceRequest(TopicPartition partition, int acks, int timeoutMs, ByteBuffer batch) {
    }

    public record ProduceResponse(Error error, long baseOffset, long lastOffset) {
    }

    public record ReadRequest(TopicPartition partition, long offset, int maxBytes, int maxRecords, int timeoutMs) {
    }

    /** @param records the records read, as record batches (re-encoded when they came from the object store) */
    public record ReadResponse(Error error, long nextOffset, long highWatermark, long logStartOffset,
            Records records) {
    }

    // ---- consumer groups -----------------------------------------------------------------------

    /**
     * A consumer-group operation for another broker: the group's coordinator, or for an offset lookup
     * a partition's leader. The payload is the operation's own small versioned encoding, which the
     * broker layer reads and writes; this layer only carries it, bounded by
     * {@link FrameDescriptor#MAX_GROUP_PAYLOAD_BYTES}.
     *
     * @param op        which operation (the broker layer's codes)
     * @param timeoutMs how long the peer may take (a commit waits for its record to be replicated)
     */
    public record GroupRequest(int op, String groupId, int timeoutMs, ByteBuffer payload) {
    }

    /** The reply to a {@link GroupRequest}: an error, or the operation's encoded result. */
    public record GroupResponse(Error error, ByteBuffer payload) {
    }
}
