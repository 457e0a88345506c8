package io.sluice.replication;

import static io.sluice.replication.FrameDescriptor.COUNT_LENGTH;
import static io.sluice.replication.FrameDescriptor.INT16_LENGTH;
import static io.sluice.replication.FrameDescriptor.INT32_LENGTH;
import static io.sluice.replication.FrameDescriptor.INT64_LENGTH;
import static io.sluice.replication.FrameDescriptor.NULL_STRING_LENGTH;
import static io.sluice.replication.FrameDescriptor.RECORDS_LENGTH_LENGTH;

import io.sluice.cluster.TopicPartition;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.HeapRecords;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads payload fields from one frame's bytes, refusing every read, count and length that would
 * run past the frame's end. Nothing is allocated for a count or length before it is checked
 * against the bytes that are actually left.
 */
final class PayloadReader {
    private final ByteBuffer buffer;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    PayloadReader(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    int int32(String field) {
        need(field, INT32_LENGTH);
        return buffer.getInt();
    }

    long int64(String field) {
        need(field, INT64_LENGTH);
        return buffer.getLong();
    }

    String string(String field) {
        String value = nullableString(field);
        if (value == null) {
            throw fail(field, "is null");
        }
        return value;
    }

    String nullableString(String field) {
        need(field, INT16_LENGTH);
        short length = buffer.getShort();
        if (length == NULL_STRING_LENGTH) {
            return null;
        }
        if (length < 0) {
            throw fail(field, "has length " + length);
        }
        need(field, length);
        ByteBuffer bytes = buffer.slice();
        bytes.limit(length);
        buffer.position(buffer.position() + length);
        try {
            return utf8.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw fail(field, "is not UTF-8");
        }
    }

    /** A list's element count, refused when even elements of the smallest size could not fit in what is left. */
    int count(String field, int minElementLength) {
        need(field, COUNT_LENGTH);
        int count = buffer.getInt();
        if (count < 0 || (long) count * minElementLength > buffer.remaining()) {
            throw fail(field, "claims " + count + " elements of at least " + minElementLength + " bytes, "
                    + buffer.remaining() + " bytes left");
        }
        return count;
    }

    /** Record batches as a view of the frame's bytes: the frame's buffer is not shared with anything else. */
    HeapRecords records(String field) {
        need(field, RECORDS_LENGTH_LENGTH);
        int length = buffer.getInt();
        if (length < 0) {
            throw fail(field, "has length " + length);
        }
        return new HeapRecords(bytes(field, length));
    }

    ByteBuffer bytes(String field, int length) {
        need(field, length);
        ByteBuffer bytes = buffer.slice();
        bytes.limit(length);
        buffer.position(buffer.position() + length);
        return bytes;
    }

    TopicPartition topicPartition(String field) {
        return new TopicPartition(string(field + ".topic"), int32(field + ".partition"));
    }

    /** An error is a nullable code and, when the code is there, a message. */
    Error error(String field) {
        String code = nullableString(field + ".code");
        return code == null ? null : new Error(code, nullableString(field + ".message"));
    }

    void requireEnd(String what) {
        if (buffer.hasRemaining()) {
            throw new FrameDecodeException(what + ": " + buffer.remaining() + " bytes left over after the payload");
        }
    }

    private void need(String field, int length) {
        if (buffer.remaining() < length) {
            throw fail(field, "needs " + length + " bytes, " + buffer.remaining() + " left");
        }
    }

    private FrameDecodeException fail(String field, String problem) {
        return new FrameDecodeException(field + " at payload position " + buffer.position() + " " + problem);
    }
}
