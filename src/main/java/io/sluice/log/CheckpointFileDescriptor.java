package io.sluice.log;

/**
 * Byte layout of the recovery-point checkpoint file ({@code recovery-point-checkpoint} in the data
 * dir), big-endian: a header, one entry per partition, and a CRC32C of everything before it.
 *
 * <pre>
 *   header:  0       4       8       12
 *            +-------+-------+-------+
 *            | magic |version| count |
 *            +-------+-------+-------+
 *   entry:   nameLength int16 | name (UTF-8) | segmentBase int64 | position int32 | nextOffset int64
 *            | lastBatchPosition int32 | lastBatchCrc int32 | maxTimestamp int64 | offsetOfMaxTimestamp int64
 *   trailer: crc32c int32 over header and entries
 * </pre>
 */
final class CheckpointFileDescriptor {
    private CheckpointFileDescriptor() {
    }

    static final int MAGIC = 0x534c5250; // "SLRP"
    /** Version 1: the first layout. */
    static final int VERSION_1 = 1;
    static final int CURRENT_VERSION = VERSION_1;

    static final int MAGIC_OFFSET = 0;
    static final int MAGIC_LENGTH = 4;
    static final int VERSION_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    static final int VERSION_LENGTH = 4;
    static final int COUNT_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    static final int COUNT_LENGTH = 4;
    static final int HEADER_LENGTH = COUNT_OFFSET + COUNT_LENGTH;

    static final int NAME_LENGTH_LENGTH = 2;
    /** An entry's fixed part after its name: segmentBase, position, nextOffset, lastBatchPosition, lastBatchCrc, maxTimestamp, offsetOfMaxTimestamp. */
    static final int ENTRY_FIXED_LENGTH = 8 + 4 + 8 + 4 + 4 + 8 + 8;
    static final int CRC_LENGTH = 4;
    /** Partition names are bounded by the topic-name limit; a longer length field means a damaged file. */
    static final int MAX_NAME_LENGTH = 1024;
}
