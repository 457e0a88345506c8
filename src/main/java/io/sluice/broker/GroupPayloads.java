package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.AssignmentStrategy;
import io.sluice.group.CommittedOffset;
import io.sluice.group.GroupDescription;
import io.sluice.group.GroupListing;
import io.sluice.group.GroupState;
import io.sluice.group.HeartbeatReply;
import io.sluice.group.MemberDescription;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.OffsetCommit;
import io.sluice.group.PartitionLag;
import io.sluice.group.RebalanceProtocol;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The payloads of the inter-broker {@code GROUP} frames: the group records of each operation, in a
 * small binary encoding of their own. Every payload starts with a version byte ({@link #VERSION});
 * then big-endian fields: a string is an int16 byte count and UTF-8 (-1 for null), a list or map an
 * int32 count, an enum its ordinal as an int8. Reading trusts nothing: every count is checked against
 * the bytes left before anything is allocated for it, and no byte may be left over; a violation is
 * {@code INVALID_REQUEST}.
 *
 * <pre>
 * tp             := topic:string partition:i32
 * committed      := offset:i64 metadata:string commitTimeMs:i64
 * HEARTBEAT  req := groupId memberId? memberEpoch:i32 clientHost? [topic] strategy:i8 protocol:i8 [tp] sessionTimeoutMs:i64
 *            rep := memberId memberEpoch:i32 [tp] [tp committed] heartbeatIntervalMs:i64
 * COMMIT     req := groupId memberId memberEpoch:i32 [tp offset:i64] metadata   rep := [tp committed]
 * LIST       req := (empty)                                                     rep := [groupId state:i8 members:i32]
 * DESCRIBE   req := (empty)                                                     rep := description
 * RESET      req := [tp offset:i64]                                             rep := [tp committed]
 * DELETE     req := (empty)                                                     rep := (empty)
 * RESOLVE    req := kind:i8 value:i64 [tp]                                      rep := [tp offset:i64]
 * </pre>
 */
final class GroupPayloads {
    static final int OP_HEARTBEAT = 1;
    static final int OP_COMMIT = 2;
    static final int OP_LIST = 3;
    static final int OP_DESCRIBE = 4;
    static final int OP_RESET = 5;
    static final int OP_DELETE = 6;
    /** Resolves an offset reset on the partitions' leader (log start, high watermark, timestamp lookup). */
    static final int OP_RESOLVE = 7;
    /** Version 1: the layouts above. */
    static final byte VERSION = 1;
    private static final int MIN_TP = Short.BYTES + Integer.BYTES;
    private static final int MIN_COMMITTED = Long.BYTES + Short.BYTES + Long.BYTES;

    private GroupPayloads() {
    }

    // ---- writing --------------------------------------------------------------------------------

    /** Builds one payload; starts with the version byte. */
    static final class Out {
        private ByteBuffer buf = ByteBuffer.allocate(256);

        Out() {
            buf.put(VERSION);
        }

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Out i8(int v) {
            ensure(1);
            buf.put((byte) v);
            return this;
        }

        Out i32(int v) {
            ensure(Integer.BYTES);
            buf.putInt(v);
            return this;
        }

        Out i64(long v) {
            ensure(Long.BYTES);
            buf.putLong(v);
            return this;
        }

        Out string(String s) {
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

        Out tp(TopicPartition tp) {
            return string(tp.topic()).i32(tp.partition());
        }

        Out committed(CommittedOffset c) {
            return i64(c.offset()).string(c.metadata()).i64(c.commitTimeMs());
        }

        Out tps(Set<TopicPartition> tps) {
            i32(tps.size());
            tps.forEach(this::tp);
            return this;
        }

        Out committedMap(Map<TopicPartition, CommittedOffset> offsets) {
            i32(offsets.size());
            offsets.forEach((tp, c) -> tp(tp).committed(c));
            return this;
        }

        Out offsetMap(Map<TopicPartition, Long> offsets) {
            i32(offsets.size());
            offsets.forEach((tp, o) -> tp(tp).i64(o));
            return this;
        }

        ByteBuffer done() {
            return buf.flip().asReadOnlyBuffer();
        }
    }

    static ByteBuffer empty() {
        return new Out().done();
    }

    static ByteBuffer heartbeat(MemberHeartbeat h) {
        Out out = new Out().string(h.groupId()).string(h.memberId()).i32(h.memberEpoch()).string(h.clientHost());
        out.i32(h.topics().size());
        h.topics().forEach(out::string);
        return out.i8(h.strategy() == null ? -1 : h.strategy().ordinal())
                .i8(h.protocol() == null ? -1 : h.protocol().ordinal()).tps(h.owned()).i64(h.sessionTimeoutMs())
                .done();
    }

    static ByteBuffer heartbeatReply(HeartbeatReply r) {
        return new Out().string(r.memberId()).i32(r.memberEpoch()).tps(r.assignment()).committedMap(r.committed())
                .i64(r.heartbeatIntervalMs()).done();
    }

    static ByteBuffer commit(OffsetCommit c) {
        return new Out().string(c.groupId()).string(c.memberId()).i32(c.memberEpoch()).offsetMap(c.offsets())
                .string(c.metadata()).done();
    }

    static ByteBuffer committed(Map<TopicPartition, CommittedOffset> offsets) {
        return new Out().committedMap(offsets).done();
    }

    static ByteBuffer offsets(Map<TopicPartition, Long> offsets) {
        return new Out().offsetMap(offsets).done();
    }

    static ByteBuffer listings(List<GroupListing> groups) {
        Out out = new Out().i32(groups.size());
        groups.forEach(g -> out.string(g.groupId()).i8(g.state().ordinal()).i32(g.members()));
        return out.done();
    }

    static ByteBuffer description(GroupDescription d) {
        Out out = new Out().string(d.groupId()).i8(d.state().ordinal())
                .i8(d.protocol() == null ? -1 : d.protocol().ordinal())
                .i8(d.strategy() == null ? -1 : d.strategy().ordinal()).i32(d.groupEpoch()).i32(d.coordinator());
        out.i32(d.members().size());
        for (MemberDescription m : d.members()) {
            out.string(m.memberId()).string(m.clientHost()).i32(m.memberEpoch()).tps(m.owned()).tps(m.target());
        }
        out.i32(d.offsets().size());
        for (PartitionLag l : d.offsets()) {
            out.string(l.topic()).i32(l.partition()).i64(l.committed()).i64(l.endOffset()).i64(l.lag());
        }
        return out.i64(d.rebalances()).done();
    }

    /** @param kind 0 earliest, 1 latest, 2 timestamp, 3 offset */
    static ByteBuffer resolve(int kind, long value, List<TopicPartition> partitions) {
        Out out = new Out().i8(kind).i64(value).i32(partitions.size());
        partitions.forEach(out::tp);
        return out.done();
    }

    // ---- reading --------------------------------------------------------------------------------

    /** Reads one payload: checks its version first, and that nothing is left over at {@link #end}. */
    static final class In {
        private final ByteBuffer buf;

        In(ByteBuffer payload) {
            this.buf = payload.duplicate();
            byte version = i8();
            if (version != VERSION) {
                throw malformed("group payload version " + version + " is not supported (this broker speaks "
                        + VERSION + ")");
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
                throw malformed("a string of length " + length);
            }
            need(length);
            ByteBuffer bytes = buf.slice().limit(length);
            buf.position(buf.position() + length);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
            } catch (CharacterCodingException e) {
                throw malformed("a string that is not UTF-8");
            }
        }

        String requiredString(String field) {
            String s = string();
            if (s == null) {
                throw malformed(field + " is null");
            }
            return s;
        }

        int count(int minElement) {
            int n = i32();
            if (n < 0 || (long) n * minElement > buf.remaining()) {
                throw malformed("a count of " + n + " with " + buf.remaining() + " bytes left");
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
            int n = count(MIN_TP);
            Set<TopicPartition> tps = new HashSet<>(n * 2);
            for (int i = 0; i < n; i++) {
                tps.add(tp());
            }
            return tps;
        }

        Map<TopicPartition, CommittedOffset> committedMap() {
            int n = count(MIN_TP + MIN_COMMITTED);
            Map<TopicPartition, CommittedOffset> m = new LinkedHashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                m.put(tp(), committed());
            }
            return m;
        }

        Map<TopicPartition, Long> offsetMap() {
            int n = count(MIN_TP + Long.BYTES);
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
                throw malformed("enum ordinal " + ordinal + " of " + values.length);
            }
            return values[ordinal];
        }

        <E extends Enum<E>> E requiredEnum(E[] values) {
            E e = nullableEnum(values);
            if (e == null) {
                throw malformed("a required enum is null");
            }
            return e;
        }

        void end() {
            if (buf.hasRemaining()) {
                throw malformed(buf.remaining() + " bytes left over after the payload");
            }
        }

        private void need(int n) {
            if (buf.remaining() < n) {
                throw malformed("needs " + n + " bytes, " + buf.remaining() + " left");
            }
        }
    }

    /** Reads a whole payload with {@code reader}, turning any malformation into INVALID_REQUEST. */
    static <T> T read(ByteBuffer payload, Function<In, T> reader) {
        try {
            In in = new In(payload);
            T value = reader.apply(in);
            in.end();
            return value;
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
            throw malformed(String.valueOf(e.getMessage()));
        }
    }

    static MemberHeartbeat readHeartbeat(In in) {
        String groupId = in.requiredString("groupId");
        String memberId = in.string();
        int epoch = in.i32();
        String host = in.string();
        int n = in.count(Short.BYTES);
        List<String> topics = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            topics.add(in.requiredString("topic"));
        }
        return new MemberHeartbeat(groupId, memberId, epoch, host, topics, in.nullableEnum(AssignmentStrategy.values()),
                in.nullableEnum(RebalanceProtocol.values()), in.tps(), in.i64());
    }

    static HeartbeatReply readHeartbeatReply(In in) {
        return new HeartbeatReply(in.string(), in.i32(), in.tps(), in.committedMap(), in.i64());
    }

    static OffsetCommit readCommit(In in) {
        return new OffsetCommit(in.requiredString("groupId"), in.string(), in.i32(), in.offsetMap(), in.string());
    }

    static List<GroupListing> readListings(In in) {
        int n = in.count(Short.BYTES + 1 + Integer.BYTES);
        List<GroupListing> groups = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            groups.add(new GroupListing(in.requiredString("groupId"), in.requiredEnum(GroupState.values()), in.i32()));
        }
        return groups;
    }

    static GroupDescription readDescription(In in) {
        String groupId = in.requiredString("groupId");
        GroupState state = in.requiredEnum(GroupState.values());
        RebalanceProtocol protocol = in.nullableEnum(RebalanceProtocol.values());
        AssignmentStrategy strategy = in.nullableEnum(AssignmentStrategy.values());
        int groupEpoch = in.i32();
        int coordinator = in.i32();
        int n = in.count(2 * Short.BYTES + 3 * Integer.BYTES);
        List<MemberDescription> members = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            members.add(new MemberDescription(in.requiredString("memberId"), in.string(), in.i32(), in.tps(),
                    in.tps()));
        }
        int m = in.count(MIN_TP + 3 * Long.BYTES);
        List<PartitionLag> lags = new ArrayList<>(m);
        for (int i = 0; i < m; i++) {
            lags.add(new PartitionLag(in.requiredString("topic"), in.i32(), in.i64(), in.i64(), in.i64()));
        }
        return new GroupDescription(groupId, state, protocol, strategy, groupEpoch, coordinator, members, lags,
                in.i64());
    }

    static SluiceException malformed(String problem) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, "malformed group payload: " + problem);
    }
}
