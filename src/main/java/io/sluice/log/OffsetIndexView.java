package io.sluice.log;

import static io.sluice.log.IndexFileDescriptor.*;

import java.nio.ByteBuffer;

/**
 * A read-only offset index held in memory, parsed once from the bytes of a {@code .index} file:
 * how the tier finds the byte range of an offset in a remote segment with few ranged GETs. The
 * index is sparse: an entry names the base offset and position of some batch, so the batch that
 * holds an offset lies at or after {@link #floorPosition} and before {@link #ceilingPosition}.
 */
public final class OffsetIndexView {
    /** Object header, array headers and the two references: what a view costs beyond its entries. */
    private static final int FIXED_OVERHEAD_BYTES = 64;
    /** One entry in memory: a long offset and an int position. */
    private static final int ENTRY_BYTES_IN_MEMORY = Long.BYTES + Integer.BYTES;

    private final long baseOffset;
    private final long[] offsets;
    private final int[] positions;

    private OffsetIndexView(long baseOffset, long[] offsets, int[] positions) {
        this.baseOffset = baseOffset;
        this.offsets = offsets;
        this.positions = positions;
    }

    public static OffsetIndexView parse(byte[] bytes, long baseOffset, String where) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (bytes.length < HEADER_LENGTH || (bytes.length - HEADER_LENGTH) % OFFSET_ENTRY_LENGTH != 0
                || b.getInt(MAGIC_OFFSET) != OFFSET_INDEX_MAGIC || b.getInt(VERSION_OFFSET) != CURRENT_VERSION) {
            throw new CorruptRecordException("not an offset index of version " + CURRENT_VERSION + ": " + where);
        }
        int n = (bytes.length - HEADER_LENGTH) / OFFSET_ENTRY_LENGTH;
        long[] offsets = new long[n];
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            int at = HEADER_LENGTH + i * OFFSET_ENTRY_LENGTH;
            offsets[i] = baseOffset + b.getInt(at + OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET);
            positions[i] = b.getInt(at + OFFSET_ENTRY_POSITION_OFFSET);
            if (i > 0 && (offsets[i] <= offsets[i - 1] || positions[i] <= positions[i - 1])) {
                throw new CorruptRecordException("offset index out of order at entry " + i + ": " + where);
            }
        }
        return new OffsetIndexView(baseOffset, offsets, positions);
    }

    /** The last entry at or below {@code offset}, or -1 when none is. */
    private int floorSlot(long offset) {
        int lo = 0;
        int hi = offsets.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] <= offset) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** File position of the last indexed batch at or below {@code offset} (0 when none is). */
    public int floorPosition(long offset) {
        int slot = floorSlot(offset);
        return slot < 0 ? 0 : positions[slot];
    }

    /** Base offset of the batch at {@link #floorPosition} (the segment's base offset when none is indexed). */
    public long floorOffset(long offset) {
        int slot = floorSlot(offset);
        return slot < 0 ? baseOffset : offsets[slot];
    }

    /**
     * File position of the first indexed batch above {@code offset}, or -1 when none is: the batch
     * that holds {@code offset} starts before it.
     */
    public int ceilingPosition(long offset) {
        int next = floorSlot(offset) + 1;
        return next < positions.length ? positions[next] : -1;
    }

    /** What this view holds in memory, for the read cache's bound. */
    public long sizeInBytes() {
        return FIXED_OVERHEAD_BYTES + (long) offsets.length * ENTRY_BYTES_IN_MEMORY;
    }
}
