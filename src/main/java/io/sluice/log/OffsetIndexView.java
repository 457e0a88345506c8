package io.sluice.log;

import static io.sluice.log.IndexFileDescriptor.*;

import java.nio.ByteBuffer;

/**
 * A read-only offset index held in memory, parsed from the bytes of a {@code .index} file: how
 * the tier finds the byte range of an offset in a remote segment with one ranged GET.
 */
public final class OffsetIndexView {
    private final long[] offsets;
    private final int[] positions;

    private OffsetIndexView(long[] offsets, int[] positions) {
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
        return new OffsetIndexView(offsets, positions);
    }

    /** File position of the last indexed batch at or below {@code offset} (0 when none is). */
    public int floorPosition(long offset) {
        int lo = 0;
        int hi = offsets.length - 1;
        int found = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (offsets[mid] <= offset) {
                found = positions[mid];
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
