package io.sluice.log;

/**
 * Byte layout of a record batch, magic 2 (Kafka's v2 format, big-endian):
 *
 * <pre>
 *   0                   8       12      16 17      21    23      27              35              43
 *   +-------------------+-------+-------+--+-------+-----+-------+---------------+---------------+
 *   | baseOffset        |length |epoch  |mg| crc   |attr |lastOD | baseTimestamp | maxTimestamp  |
 *   +-------------------+-------+-------+--+-------+-----+-------+---------------+---------------+
 *   43                  51   53      57      61
 *   +-------------------+----+-------+-------+--------- records (varint encoded) ---------+
 *   | producerId        |pEp |baseSeq|count  | ...                                        |
 *   +-------------------+----+-------+-------+--------------------------------------------+
 * </pre>
 *
 * {@code length} counts the bytes after itself. The CRC32C covers everything from
 * {@code attributes} to the end, so that the two fields assigned by the log at append time
 * (base offset, partition leader epoch) can be written without recomputing it.
 */
public final class RecordBatchDescriptor {
    private RecordBatchDescriptor() {
    }

    public static final byte MAGIC = 2;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int BASE_OFFSET_LENGTH = 8;
    public static final int LENGTH_OFFSET = BASE_OFFSET_OFFSET + BASE_OFFSET_LENGTH;
    public static final int LENGTH_LENGTH = 4;
    public static final int LOG_OVERHEAD = LENGTH_OFFSET + LENGTH_LENGTH;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = LOG_OVERHEAD;
    public static final int PARTITION_LEADER_EPOCH_LENGTH = 4;
    public static final int MAGIC_OFFSET = PARTITION_LEADER_EPOCH_OFFSET + PARTITION_LEADER_EPOCH_LENGTH;
    public static final int MAGIC_LENGTH = 1;
    public static final int CRC_OFFSET = MAGIC_OFFSET + MAGIC_LENGTH;
    public static final int CRC_LENGTH = 4;
    public static final int ATTRIBUTES_OFFSET = CRC_OFFSET + CRC_LENGTH;
    public static final int ATTRIBUTES_LENGTH = 2;
    public static final int LAST_OFFSET_DELTA_OFFSET = ATTRIBUTES_OFFSET + ATTRIBUTES_LENGTH;
    public static final int LAST_OFFSET_DELTA_LENGTH = 4;
    public static final int BASE_TIMESTAMP_OFFSET = LAST_OFFSET_DELTA_OFFSET + LAST_OFFSET_DELTA_LENGTH;
    public static final int BASE_TIMESTAMP_LENGTH = 8;
    public static final int MAX_TIMESTAMP_OFFSET = BASE_TIMESTAMP_OFFSET + BASE_TIMESTAMP_LENGTH;
    public static final int MAX_TIMESTAMP_LENGTH = 8;
    public static final int PRODUCER_ID_OFFSET = MAX_TIMESTAMP_OFFSET + MAX_TIMESTAMP_LENGTH;
    public static final int PRODUCER_ID_LENGTH = 8;
    public static final int PRODUCER_EPOCH_OFFSET = PRODUCER_ID_OFFSET + PRODUCER_ID_LENGTH;
    public static final int PRODUCER_EPOCH_LENGTH = 2;
    public static final int BASE_SEQUENCE_OFFSET = PRODUCER_EPOCH_OFFSET + PRODUCER_EPOCH_LENGTH;
    public static final int BASE_SEQUENCE_LENGTH = 4;
    public static final int RECORDS_COUNT_OFFSET = BASE_SEQUENCE_OFFSET + BASE_SEQUENCE_LENGTH;
    public static final int RECORDS_COUNT_LENGTH = 4;
    public static final int RECORDS_OFFSET = RECORDS_COUNT_OFFSET + RECORDS_COUNT_LENGTH;
    /** Size of a batch with no records: the smallest valid batch. */
    public static final int RECORD_BATCH_OVERHEAD = RECORDS_OFFSET;

    /** Attribute bits: low three are the compression codec, bit 3 the timestamp type. */
    public static final short COMPRESSION_CODEC_MASK = 0x07;
    public static final short TIMESTAMP_TYPE_MASK = 0x08;
    public static final short TRANSACTIONAL_FLAG_MASK = 0x10;
    public static final short CONTROL_FLAG_MASK = 0x20;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
}
