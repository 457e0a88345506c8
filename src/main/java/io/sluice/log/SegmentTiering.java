package io.sluice.log;

/**
 * How a partition log talks to the tier without knowing it: it reports each segment it closes,
 * and asks whether a segment's upload was confirmed before deleting it locally (DESIGN invariant 4).
 */
public interface SegmentTiering {
    SegmentTiering NONE = new SegmentTiering() {
        @Override
        public void onSegmentClosed(ClosedSegment segment) {
        }

        @Override
        public boolean isUploaded(long baseOffset, long nextOffset) {
            return false;
        }
    };

    /**
     * Called on the log's writer thread right after a roll made the segment durable, when the
     * topic tiers ({@code remote.storage.enable}) and the segment lies entirely below the high
     * watermark: hand off, never block. A segment that still holds records not committed (a
     * replicated partition's high watermark trails its rolls) is not reported here; it is among
     * {@link PartitionLog#closedSegments()} once the high watermark passed it.
     */
    void onSegmentClosed(ClosedSegment segment);

    /**
     * Whether every offset in {@code [baseOffset, nextOffset)} is in the object store (or was, and
     * total retention removed it there). Ranges, not base offsets: replicas roll their segments at
     * different offsets, so a follower's segment need not start where an uploaded one did.
     */
    boolean isUploaded(long baseOffset, long nextOffset);
}
