package io.sluice.replication;

import static io.sluice.replication.FrameDescriptor.HEADER_LENGTH;
import static io.sluice.replication.FrameDescriptor.LENGTH_LENGTH;
import static io.sluice.replication.FrameDescriptor.LENGTH_OFFSET;
import static io.sluice.replication.FrameDescriptor.NULL_STRING_LENGTH;

import io.netty.buffer.Unpooled;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.EncodedFrame.Part;
import io.sluice.replication.Messages.Error;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.Records;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds one frame: its header, then payload fields into a growing buffer. Record batches larger
 * than {@link #COPY_THRESHOLD} are not copied: heap bytes are wrapped as a part of their own and
 * file regions become {@link EncodedFrame.Region} parts, sent later by {@code sendFile}.
 */
final class PayloadWriter {
    /** Below this, copying batches into the frame's buffer costs less than a write of their own. */
    static final int COPY_THRESHOLD = 4096;
    private static final int INITIAL_CAPACITY = 256;

    private final FrameType type;
    private final int correlationId;
    private final List<Part> parts = new ArrayList<>();
    private final Buffer head;
    private Buffer current;
    private long length;

    PayloadWriter(FrameType type, int correlationId) {
        this.type = type;
        this.correlationId = correlationId;
        head = Buffer.buffer(INITIAL_CAPACITY);
        // The length prefix is patched in by finish(), once every part is known.
        head.appendInt(0).appendByte(FrameDescriptor.CURRENT_VERSION).appendByte(type.code()).appendInt(correlationId);
        current = head;
        length = HEADER_LENGTH;
    }

    PayloadWriter int32(int value) {
        current.appendInt(value);
        length += Integer.BYTES;
        return this;
    }

    PayloadWriter int64(long value) {
        current.appendLong(value);
        length += Long.BYTES;
        return this;
    }

    PayloadWriter count(int count) {
        return int32(count);
    }

    PayloadWriter string(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is null");
        }
        return nullableString(field, value);
    }

    PayloadWriter nullableString(String field, String value) {
        if (value == null) {
            current.appendShort(NULL_STRING_LENGTH);
            length += Short.BYTES;
            return this;
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > Short.MAX_VALUE) {
            throw new IllegalArgumentException(field + " is " + bytes.length + " bytes of UTF-8, at most "
                    + Short.MAX_VALUE + " fit");
        }
        current.appendShort((short) bytes.length).appendBytes(bytes);
        length += Short.BYTES + bytes.length;
        return this;
    }

    PayloadWriter topicPartition(String field, TopicPartition partition) {
        return string(field + ".topic", partition.topic()).int32(partition.partition());
    }

    PayloadWriter error(Error error) {
        if (error == null) {
            return nullableString("error.code", null);
        }
        return string("error.code", error.code()).nullableString("error.message", error.message());
    }

    PayloadWriter records(Records records) {
        if (records instanceof FileRecords file) {
            if (file.position() < 0 || file.length() < 0) {
                throw new IllegalArgumentException("file region " + file + " has a negative position or length");
            }
            int32(file.length());
            if (file.length() > 0) {
                cut(new EncodedFrame.Region(file));
                length += file.length();
            }
            return this;
        }
        ByteBuffer bytes = ((HeapRecords) records).bytes();
        int32(bytes.remaining());
        return bytes(bytes);
    }

    /** Bytes that the length before them already counts; the buffer's position is left as it was. */
    PayloadWriter bytes(ByteBuffer bytes) {
        int size = bytes.remaining();
        if (size < COPY_THRESHOLD) {
            current.appendBytes(copyOf(bytes));
        } else {
            cut(new EncodedFrame.Bytes(Buffer.buffer(Unpooled.wrappedBuffer(bytes.duplicate()))));
        }
        length += size;
        return this;
    }

    /** The frame, refused when it exceeds the limit its reader will apply. */
    EncodedFrame finish(int maxFrameBytes) {
        if (length > maxFrameBytes) {
            throw new SluiceException(ErrorCode.REQUEST_TOO_LARGE, "a " + type + " frame of " + length
                    + " bytes exceeds the limit of " + maxFrameBytes);
        }
        head.setInt(LENGTH_OFFSET, (int) (length - LENGTH_LENGTH));
        if (current.length() > 0) {
            parts.add(new EncodedFrame.Bytes(current));
        }
        return new EncodedFrame(type, correlationId, parts, length);
    }

    private void cut(Part part) {
        if (current.length() > 0) {
            parts.add(new EncodedFrame.Bytes(current));
        }
        parts.add(part);
        current = Buffer.buffer(INITIAL_CAPACITY);
    }

    private static byte[] copyOf(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return copy;
    }
}
