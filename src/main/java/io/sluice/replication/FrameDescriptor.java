package io.sluice.replication;

/**
 * Byte layout of an inter-broker frame, version 1 (big-endian):
 *
 * <pre>
 *   0               4   5   6               10
 *   +---------------+---+---+---------------+------------------------------+
 *   | length        |ver|typ| correlationId | payload (by type)            |
 *   +---------------+---+---+---------------+------------------------------+
 * </pre>
 *
 * {@code length} counts the bytes after itself, so a reader learns the whole frame's size from its
 * first four bytes and checks it against its limit before it buffers anything else. The version
 * sits in every frame, not in a handshake, so that a connection never has a state to get wrong.
 *
 * <p>Payload primitives: integers big-endian; a string is an int16 byte count and UTF-8 bytes (-1
 * for null where a field allows it); a list is an int32 element count; record batches are an int32
 * byte count and the bytes. Every count is checked against the bytes left in the frame before
 * anything is allocated for it.
 */
public final class FrameDescriptor {
    private FrameDescriptor() {
    }

    /** The first version; the only one this broker speaks. */
    public static final byte VERSION_1 = 1;
    public static final byte CURRENT_VERSION = VERSION_1;

    public static final int LENGTH_OFFSET = 0;
    public static final int LENGTH_LENGTH = 4;
    public static final int VERSION_OFFSET = LENGTH_OFFSET + LENGTH_LENGTH;
    public static final int VERSION_LENGTH = 1;
    public static final int TYPE_OFFSET = VERSION_OFFSET + VERSION_LENGTH;
    public static final int TYPE_LENGTH = 1;
    public static final int CORRELATION_ID_OFFSET = TYPE_OFFSET + TYPE_LENGTH;
    public static final int CORRELATION_ID_LENGTH = 4;
    public static final int PAYLOAD_OFFSET = CORRELATION_ID_OFFSET + CORRELATION_ID_LENGTH;
    /** Bytes before the payload, the length prefix included. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;
    /** Bytes the length prefix counts before the payload: the smallest valid {@code length}. */
    public static final int BODY_HEADER_LENGTH = HEADER_LENGTH - LENGTH_LENGTH;

    /** The largest payload by default: a fetch of 64 MiB of batches and its per-partition fields fit. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
    public static final int DEFAULT_MAX_FRAME_BYTES = DEFAULT_MAX_PAYLOAD_BYTES + HEADER_LENGTH;

    /**
     * The largest payload of a {@code GROUP} or {@code GROUP_RESPONSE} frame: a commit of thousands of
     * partitions or a large group's description fits; a claimed length above it is refused.
     */
    public static final int MAX_GROUP_PAYLOAD_BYTES = 4 * 1024 * 1024;

    public static final int INT8_LENGTH = 1;
    public static final int INT16_LENGTH = 2;
    public static final int INT32_LENGTH = 4;
    public static final int INT64_LENGTH = 8;
    public static final int STRING_LENGTH_LENGTH = INT16_LENGTH;
    public static final int COUNT_LENGTH = INT32_LENGTH;
    public static final int RECORDS_LENGTH_LENGTH = INT32_LENGTH;
    public static final short NULL_STRING_LENGTH = -1;

    /** Smallest encodings of list elements, by which a claimed count is checked against the bytes left. */
    public static final int TOPIC_PARTITION_MIN_LENGTH = STRING_LENGTH_LENGTH + INT32_LENGTH;
    /** A null error is its null code alone; a present one adds its message. */
    public static final int ERROR_MIN_LENGTH = STRING_LENGTH_LENGTH;
    public static final int FETCH_PARTITION_MIN_LENGTH = TOPIC_PARTITION_MIN_LENGTH
            + INT32_LENGTH + INT64_LENGTH + INT64_LENGTH + INT32_LENGTH;
    public static final int FETCHED_PARTITION_MIN_LENGTH = TOPIC_PARTITION_MIN_LENGTH + ERROR_MIN_LENGTH
            + INT32_LENGTH + 4 * INT64_LENGTH + RECORDS_LENGTH_LENGTH;
    public static final int EPOCH_QUERY_MIN_LENGTH = TOPIC_PARTITION_MIN_LENGTH + INT32_LENGTH + INT32_LENGTH;
    public static final int EPOCH_END_MIN_LENGTH = TOPIC_PARTITION_MIN_LENGTH + ERROR_MIN_LENGTH
            + INT32_LENGTH + INT64_LENGTH;
}
