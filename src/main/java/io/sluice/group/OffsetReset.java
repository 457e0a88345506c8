package io.sluice.group;

/** Where a reset moves a group's committed offsets (REST {@code POST /groups/{g}/offsets}). */
public sealed interface OffsetReset {
    /** The partition's log start offset. */
    record Earliest() implements OffsetReset {
    }

    /** The partition's high watermark. */
    record Latest() implements OffsetReset {
    }

    /** The first offset whose timestamp is at or after {@code timestampMs} (the end if none). */
    record ToTimestamp(long timestampMs) implements OffsetReset {
    }

    /** This offset, clamped to [log start, high watermark]. */
    record ToOffset(long offset) implements OffsetReset {
    }
}
