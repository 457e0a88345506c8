package io.sluice.log;

/**
 * Where one partition's log was last known durable (Kafka's recovery point, with the file position
 * kept too): every segment below {@code segmentBase}, and the first {@code position} bytes of that
 * segment, were fsynced. Recovery after a crash CRC-checks everything from here on and trusts what
 * lies before.
 *
 * <p>The last batch before the point ({@code lastBatchPosition}, its stored CRC) lets recovery check
 * that the point still describes the file it finds: a recreated partition of the same name, or a
 * disk that lost fsynced data, fails the check and is recovered from the segment's start instead.
 *
 * @param nextOffset           the offset right after the point
 * @param lastBatchPosition    where the batch ending at {@code position} starts; -1 when position is 0
 * @param maxTimestamp         newest timestamp in the segment below the point (-1: none)
 * @param offsetOfMaxTimestamp offset of the batch that holds it (-1: none)
 */
public record RecoveryPoint(long segmentBase, int position, long nextOffset, int lastBatchPosition, long lastBatchCrc,
        long maxTimestamp, long offsetOfMaxTimestamp) {

    /** The point of a segment with nothing in it. */
    static RecoveryPoint emptySegment(long baseOffset) {
        return new RecoveryPoint(baseOffset, 0, baseOffset, -1, 0, -1, -1);
    }
}
