package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.group.CommittedOffset;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads one {@link GroupPayloads} payload: checks its version first, every count against the bytes
 * left before allocating for it, and at {@link #end} that nothing is left over. Every violation is
 * INVALID_REQUEST.
 */
final class GroupPayloadReader {
    private final ByteBuffer buf;

    GroupPayloadReader(ByteBuffer payload) {
        this.buf = payload.duplicate();
        byte version = i8();
        if (version != GroupPayloads.VERSION) {
            throw GroupPayloads.malformed("group payload version " + version + " is not supported (this broker speaks "
                    + GroupPayloads.VERSION + ")");
        }
    }

    byte i8() {
        need(1);
        return buf.get();
    }

    int i32() {
        need(Integer.BYTES);
        return buf.getInt();
    }

    long i64() {
        need(Long.BYTES);
        return buf.getLong();
    }

    String string() {
        need(Short.BYTES);
        short length = buf.getShort();
        if (length == -1) {
            return null;
        }
        if (length < 0) {
            throw GroupPayloads.malformed("a string of length " + length);
        }
        need(length);
        ByteBuffer bytes = buf.slice().limit(length);
        buf.position(buf.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw GroupPayloads.malformed("a string that is not UTF-8");
        }
    }

    String requiredString(String field) {
        String s = string();
        if (s == null) {
            throw GroupPayloads.malformed(field + " is null");
        }
        return s;
    }

    int count(int minElement) {
        int n = i32();
        if (n < 0 || (long) n * minElement > buf.remaining()) {
            throw GroupPayloads.malformed("a count of " + n + " with " + buf.remaining() + " bytes left");
        }
        return n;
    }

    TopicPartition tp() {
        return new TopicPartition(requiredString("topic"), i32());
    }

    CommittedOffset committed() {
        return new CommittedOffset(i64(), string(), i64());
    }

    Set<TopicPartition> tps() {
        int n = count(GroupPayloads.MIN_TP);
        Set<TopicPartition> tps = new HashSet<>(n * 2);
        for (int i = 0; i < n; i++) {
            tps.add(tp());
        }
        return tps;
    }

    Map<TopicPartition, CommittedOffset> committedMap() {
        int n = count(GroupPayloads.MIN_TP + GroupPayloads.MIN_COMMITTED);
        Map<TopicPartition, CommittedOffset> m = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            m.put(tp(), committed());
        }
        return m;
    }

    Map<TopicPartition, Long> offsetMap() {
        int n = count(GroupPayloads.MIN_TP + Long.BYTES);
        Map<TopicPartition, Long> m = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            m.put(tp(), i64());
        }
        return m;
    }

    <E extends Enum<E>> E nullableEnum(E[] values) {
        int ordinal = i8();
        if (ordinal == -1) {
            return null;
        }
        if (ordinal < 0 || ordinal >= values.length) {
            throw GroupPayloads.malformed("enum ordinal " + ordinal + " of " + values.length);
        }
        return values[ordinal];
    }

    <E extends Enum<E>> E requiredEnum(E[] values) {
        E e = nullableEnum(values);
        if (e == null) {
            throw GroupPayloads.malformed("a required enum is null");
        }
        return e;
    }

    void end() {
        if (buf.hasRemaining()) {
            throw GroupPayloads.malformed(buf.remaining() + " bytes left over after the payload");
        }
    }

    private void need(int n) {
        if (buf.remaining() < n) {
            throw GroupPayloads.malformed("needs " + n + " bytes, " + buf.remaining() + " left");
        }
    }
}
