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
        public boolean isUploaded(long baseOffset) {
            return false;
        }
    };

    /**
     * Called on the log's writer thread right after a roll made the segment durable, when the
     * topic tiers ({@code remote.storage.enable}): hand off, never block.
     */
    void onSegmentClosed(ClosedSegment segment);

    boolean isUploaded(long baseOffset);
}
