package io.sluice.log;

/**
 * Byte layout of the two sparse index files of a segment (big-endian). Each file starts with a
 * header so that a stray or foreign file is never taken for an index:
 *
 * <pre>
 *   header:  0       4       8
 *            +-------+-------+
 *            | magic |version|
 *            +-------+-------+
 *   .index entry (8 bytes):       relativeOffset int32 | position int32
 *   .timeindex entry (12 bytes):  timestamp int64      | relativeOffset int32
 * </pre>
 *
 * Offsets are stored relative to the segment's base offset, so a segment holds at most
 * {@link Integer#MAX_VALUE} offsets and bytes.
 */
final class IndexFileDescriptor {
    private IndexFileDescriptor() {
    }

    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int VERSION_LENGTH = 4;
    static final int HEADER_LENGTH = VERSION_OFFSET + VERSION_LENGTH;

    /** Version 1: the first layout. */
    static final int VERSION_1 = 1;
    static final int CURRENT_VERSION = VERSION_1;

    static final int OFFSET_INDEX_MAGIC = 0x534c4f49; // "SLOI"
    static final int OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET = 0;
    static final int OFFSET_ENTRY_POSITION_OFFSET = OFFSET_ENTRY_RELATIVE_OFFSET_OFFSET + 4;
    static final int OFFSET_ENTRY_LENGTH = OFFSET_ENTRY_POSITION_OFFSET + 4;

    static final int TIME_INDEX_MAGIC = 0x534c5449; // "SLTI"
    static final int TIME_ENTRY_TIMESTAMP_OFFSET = 0;
    static final int TIME_ENTRY_RELATIVE_OFFSET_OFFSET = TIME_ENTRY_TIMESTAMP_OFFSET + 8;
    static final int TIME_ENTRY_LENGTH = TIME_ENTRY_RELATIVE_OFFSET_OFFSET + 4;
}
