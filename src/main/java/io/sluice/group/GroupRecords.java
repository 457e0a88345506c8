package io.sluice.group;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The records of {@code __consumer_offsets}: one per committed offset, keyed by (group, topic,
 * partition) so that compaction keeps only a group's latest commit of each partition. Big-endian;
 * strings are UTF-8 behind a signed short length (never negative here).
 *
 * <pre>
 * key:   [short version=1][short groupLength][group][short topicLength][topic][int partition]
 * value: [short version=1][long offset][short metadataLength][metadata][long commitTimeMs]
 * </pre>
 *
 * A null value is a tombstone: the offset was deleted (group deleted, or its offsets expired). The
 * key's layout is Kafka's offset-commit key (its key version 1), so the topic reads the same to a
 * Kafka tool. Decoding checks every length against the bytes there are before it reads, and
 * refuses trailing bytes: a record whose lengths lie is corrupt, never a large allocation.
 */
public final class GroupRecords {
    /** The one key version: an offset commit. Other versions are other record types we do not know. */
    public static final short OFFSET_COMMIT_KEY_VERSION = 1;
    /** The one value version: offset, metadata, commit time. */
    public static final short OFFSET_COMMIT_VALUE_VERSION = 1;

    public static final int VERSION_OFFSET = 0;
    public static final int VERSION_LENGTH = 2;
    public static final int STRING_LENGTH_LENGTH = 2;
    public static final int PARTITION_LENGTH = 4;
    public static final int OFFSET_LENGTH = 8;
    public static final int COMMIT_TIME_LENGTH = 8;
    /** Key bytes besides its two strings. */
    public static final int KEY_FIXED_LENGTH = VERSION_LENGTH + 2 * STRING_LENGTH_LENGTH + PARTITION_LENGTH;
    /** Value bytes besides its metadata string. */
    public static final int VALUE_FIXED_LENGTH = VERSION_LENGTH + OFFSET_LENGTH + STRING_LENGTH_LENGTH
            + COMMIT_TIME_LENGTH;
    /** The longest string a short length can carry. */
    public static final int MAX_STRING_BYTES = Short.MAX_VALUE;

    /** The key of a commit record: which group's position in which partition. */
    public record OffsetKey(String groupId, TopicPartition partition) {
    }

    private GroupRecords() {
    }

    public static byte[] encodeKey(String groupId, TopicPartition partition) {
        byte[] group = utf8("group id", groupId);
        byte[] topic = utf8("topic", partition.topic());
        ByteBuffer b = ByteBuffer.allocate(KEY_FIXED_LENGTH + group.length + topic.length);
        b.putShort(OFFSET_COMMIT_KEY_VERSION);
        b.putShort((short) group.length).put(group);
        b.putShort((short) topic.length).put(topic);
        b.putInt(partition.partition());
        return b.array();
    }

    public static byte[] encodeValue(CommittedOffset offset) {
        byte[] metadata = utf8("metadata", offset.metadata());
        ByteBuffer b = ByteBuffer.allocate(VALUE_FIXED_LENGTH + metadata.length);
        b.putShort(OFFSET_COMMIT_VALUE_VERSION);
        b.putLong(offset.offset());
        b.putShort((short) metadata.length).put(metadata);
        b.putLong(offset.commitTimeMs());
        return b.array();
    }

    /** The record of a commit. */
    public static OffsetsTopic.Entry commit(String groupId, TopicPartition partition, CommittedOffset offset) {
        return new OffsetsTopic.Entry(encodeKey(groupId, partition), encodeValue(offset));
    }

    /** The record that deletes a committed offset. */
    public static OffsetsTopic.Entry tombstone(String groupId, TopicPartition partition) {
        return new OffsetsTopic.Entry(encodeKey(groupId, partition), null);
    }

    /** Whether the key is an offset commit's (a reader skips record types it does not know). */
    public static boolean isOffsetCommitKey(byte[] key) {
        return key != null && key.length >= VERSION_LENGTH
                && ByteBuffer.wrap(key).getShort(VERSION_OFFSET) == OFFSET_COMMIT_KEY_VERSION;
    }

    /** @throws SluiceException CORRUPT_RECORD for another version, a length that lies, or trailing bytes */
    public static OffsetKey decodeKey(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(requireBytes("key", key));
        checkVersion("key", b, OFFSET_COMMIT_KEY_VERSION);
        String group = readString("key", "group id", b);
        String topic = readString("key", "topic", b);
        need("key", "partition", b, PARTITION_LENGTH);
        int partition = b.getInt();
        if (partition < 0) {
            throw corrupt("key", "partition=" + partition + " is negative");
        }
        checkConsumed("key", b);
        return new OffsetKey(group, new TopicPartition(topic, partition));
    }

    /** @throws SluiceException CORRUPT_RECORD for another version, a length that lies, or trailing bytes */
    public static CommittedOffset decodeValue(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(requireBytes("value", value));
        checkVersion("value", b, OFFSET_COMMIT_VALUE_VERSION);
        need("value", "offset", b, OFFSET_LENGTH);
        long offset = b.getLong();
        if (offset < 0) {
            throw corrupt("value", "offset=" + offset + " is negative");
        }
        String metadata = readString("value", "metadata", b);
        need("value", "commitTimeMs", b, COMMIT_TIME_LENGTH);
        long commitTime = b.getLong();
        checkConsumed("value", b);
        return new CommittedOffset(offset, metadata, commitTime);
    }

    private static byte[] utf8(String what, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, what + " is " + bytes.length
                    + " bytes of UTF-8, more than the " + MAX_STRING_BYTES + " a commit record takes");
        }
        return bytes;
    }

    private static byte[] requireBytes(String part, byte[] bytes) {
        if (bytes == null) {
            throw corrupt(part, "is null");
        }
        return bytes;
    }

    private static void checkVersion(String part, ByteBuffer b, short expected) {
        need(part, "version", b, VERSION_LENGTH);
        short version = b.getShort();
        if (version != expected) {
            throw corrupt(part, "version=" + version + " is unknown (expected " + expected + ")");
        }
    }

    private static String readString(String part, String field, ByteBuffer b) {
        need(part, field + " length", b, STRING_LENGTH_LENGTH);
        int length = b.getShort();
        if (length < 0) {
            throw corrupt(part, field + " length=" + length + " is negative");
        }
        need(part, field, b, length);
        String s = new String(b.array(), b.position(), length, StandardCharsets.UTF_8);
        b.position(b.position() + length);
        return s;
    }

    private static void need(String part, String field, ByteBuffer b, int length) {
        if (b.remaining() < length) {
            throw corrupt(part, field + " needs " + length + " bytes at position " + b.position() + ", "
                    + b.remaining() + " remain");
        }
    }

    private static void checkConsumed(String part, ByteBuffer b) {
        if (b.hasRemaining()) {
            throw corrupt(part, b.remaining() + " trailing bytes at position " + b.position());
        }
    }

    private static SluiceException corrupt(String part, String detail) {
        return new SluiceException(ErrorCode.CORRUPT_RECORD, "offset commit " + part + ": " + detail);
    }
}
