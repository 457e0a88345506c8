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
    static final int MIN_TP = Short.BYTES + Integer.BYTES;
    static final int MIN_COMMITTED = Long.BYTES + Short.BYTES + Long.BYTES;

    private GroupPayloads() {
    }

    // ---- writing --------------------------------------------------------------------------------

    static ByteBuffer empty() {
        return new GroupPayloadWriter().done();
    }

    static ByteBuffer heartbeat(MemberHeartbeat h) {
        GroupPayloadWriter out = new GroupPayloadWriter().string(h.groupId()).string(h.memberId()).i32(h.memberEpoch()).string(h.clientHost());
        out.i32(h.topics().size());
        h.topics().forEach(out::string);
        return out.i8(h.strategy() == null ? -1 : h.strategy().ordinal())
                .i8(h.protocol() == null ? -1 : h.protocol().ordinal()).tps(h.owned()).i64(h.sessionTimeoutMs())
                .done();
    }

    static ByteBuffer heartbeatReply(HeartbeatReply r) {
        return new GroupPayloadWriter().string(r.memberId()).i32(r.memberEpoch()).tps(r.assignment()).committedMap(r.committed())
                .i64(r.heartbeatIntervalMs()).done();
    }

    static ByteBuffer commit(OffsetCommit c) {
        return new GroupPayloadWriter().string(c.groupId()).string(c.memberId()).i32(c.memberEpoch()).offsetMap(c.offsets())
                .string(c.metadata()).done();
    }

    static ByteBuffer committed(Map<TopicPartition, CommittedOffset> offsets) {
        return new GroupPayloadWriter().committedMap(offsets).done();
    }

    static ByteBuffer offsets(Map<TopicPartition, Long> offsets) {
        return new GroupPayloadWriter().offsetMap(offsets).done();
    }

    static ByteBuffer listings(List<GroupListing> groups) {
        GroupPayloadWriter out = new GroupPayloadWriter().i32(groups.size());
        groups.forEach(g -> out.string(g.groupId()).i8(g.state().ordinal()).i32(g.members()));
        return out.done();
    }

    static ByteBuffer description(GroupDescription d) {
        GroupPayloadWriter out = new GroupPayloadWriter().string(d.groupId()).i8(d.state().ordinal())
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
        GroupPayloadWriter out = new GroupPayloadWriter().i8(kind).i64(value).i32(partitions.size());
        partitions.forEach(out::tp);
        return out.done();
    }

    // ---- reading --------------------------------------------------------------------------------

    /** Reads a whole payload with {@code reader}, turning any malformation into INVALID_REQUEST. */
    static <T> T read(ByteBuffer payload, Function<GroupPayloadReader, T> reader) {
        try {
            GroupPayloadReader in = new GroupPayloadReader(payload);
            T value = reader.apply(in);
            in.end();
            return value;
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
            throw malformed(String.valueOf(e.getMessage()));
        }
    }

    static MemberHeartbeat readHeartbeat(GroupPayloadReader in) {
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

    static HeartbeatReply readHeartbeatReply(GroupPayloadReader in) {
        return new HeartbeatReply(in.string(), in.i32(), in.tps(), in.committedMap(), in.i64());
    }

    static OffsetCommit readCommit(GroupPayloadReader in) {
        return new OffsetCommit(in.requiredString("groupId"), in.string(), in.i32(), in.offsetMap(), in.string());
    }

    static List<GroupListing> readListings(GroupPayloadReader in) {
        int n = in.count(Short.BYTES + 1 + Integer.BYTES);
        List<GroupListing> groups = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            groups.add(new GroupListing(in.requiredString("groupId"), in.requiredEnum(GroupState.values()), in.i32()));
        }
        return groups;
    }

    static GroupDescription readDescription(GroupPayloadReader in) {
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
