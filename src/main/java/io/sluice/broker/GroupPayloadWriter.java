package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/** Builds one {@link GroupPayloads} payload, in its conventions; it starts with the version byte. */
final class GroupPayloadWriter {
    private ByteBuffer buf = ByteBuffer.allocate(256);

    GroupPayloadWriter() {
        buf.put(GroupPayloads.VERSION);
    }

    private void ensure(int n) {
        if (buf.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
            buf.flip();
            bigger.put(buf);
            buf = bigger;
        }
    }

    GroupPayloadWriter i8(int v) {
        ensure(1);
        buf.put((byte) v);
        return this;
    }

    GroupPayloadWriter i32(int v) {
        ensure(Integer.BYTES);
        buf.putInt(v);
        return this;
    }

    GroupPayloadWriter i64(long v) {
        ensure(Long.BYTES);
        buf.putLong(v);
        return this;
    }

    GroupPayloadWriter string(String s) {
        if (s == null) {
            ensure(Short.BYTES);
            buf.putShort((short) -1);
            return this;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > Short.MAX_VALUE) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "a string of " + b.length
                    + " bytes of UTF-8 is longer than a group payload carries (" + Short.MAX_VALUE + ")");
        }
        ensure(Short.BYTES + b.length);
        buf.putShort((short) b.length).put(b);
        return this;
    }

    GroupPayloadWriter tp(TopicPartition tp) {
        return string(tp.topic()).i32(tp.partition());
    }

    GroupPayloadWriter committed(CommittedOffset c) {
        return i64(c.offset()).string(c.metadata()).i64(c.commitTimeMs());
    }

    GroupPayloadWriter tps(Set<TopicPartition> tps) {
        i32(tps.size());
        tps.forEach(this::tp);
        return this;
    }

    GroupPayloadWriter committedMap(Map<TopicPartition, CommittedOffset> offsets) {
        i32(offsets.size());
        offsets.forEach((tp, c) -> tp(tp).committed(c));
        return this;
    }

    GroupPayloadWriter offsetMap(Map<TopicPartition, Long> offsets) {
        i32(offsets.size());
        offsets.forEach((tp, o) -> tp(tp).i64(o));
        return this;
    }

    ByteBuffer done() {
        return buf.flip().asReadOnlyBuffer();
    }
}
