package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The group payloads of the inter-broker GROUP frames: every one round-trips, and damage is refused as INVALID_REQUEST. */
class GroupPayloadsTest {
    private static final long SEED = 20261129L;
    private static final TopicPartition A0 = new TopicPartition("orders", 0);
    private static final TopicPartition B7 = new TopicPartition("zählung-τ", 7);

    private static final MemberHeartbeat HEARTBEAT = new MemberHeartbeat("billing", "m-1", 4, "10.0.0.9",
            List.of("orders", "zählung-τ"), AssignmentStrategy.STICKY, RebalanceProtocol.COOPERATIVE, Set.of(A0, B7),
            30_000);
    private static final MemberHeartbeat JOIN = new MemberHeartbeat("billing", null, 0, null, List.of("orders"),
            null, null, Set.of(), 45_000);
    private static final HeartbeatReply REPLY = new HeartbeatReply("m-1", 5, Set.of(A0),
            Map.of(A0, new CommittedOffset(42, "", 1_700_000_000_000L)), 50);
    private static final OffsetCommit COMMIT = new OffsetCommit("billing", "m-1", 5, Map.of(A0, 43L, B7, 0L), "note");
    private static final GroupDescription DESCRIPTION = new GroupDescription("billing", GroupState.RECONCILING,
            RebalanceProtocol.EAGER, AssignmentStrategy.RANGE, 6, 2,
            List.of(new MemberDescription("m-1", "10.0.0.9", 5, Set.of(A0), Set.of(A0, B7))),
            List.of(new PartitionLag("orders", 0, 43, 50, 7), new PartitionLag("zählung-τ", 7, -1, 3, -1)), 11);

    private static <T> void roundTrips(T value, ByteBuffer encoded, Function<GroupPayloadReader, T> reader) {
        assertEquals(value, GroupPayloads.read(encoded, reader));
    }

    @Test
    void everyPayloadRoundTrips() {
        roundTrips(HEARTBEAT, GroupPayloads.heartbeat(HEARTBEAT), GroupPayloads::readHeartbeat);
        roundTrips(JOIN, GroupPayloads.heartbeat(JOIN), GroupPayloads::readHeartbeat);
        roundTrips(REPLY, GroupPayloads.heartbeatReply(REPLY), GroupPayloads::readHeartbeatReply);
        roundTrips(COMMIT, GroupPayloads.commit(COMMIT), GroupPayloads::readCommit);
        roundTrips(DESCRIPTION, GroupPayloads.description(DESCRIPTION), GroupPayloads::readDescription);
        List<GroupListing> listings = List.of(new GroupListing("a", GroupState.EMPTY, 0),
                new GroupListing("b", GroupState.STABLE, 3));
        roundTrips(listings, GroupPayloads.listings(listings), GroupPayloads::readListings);
        Map<TopicPartition, CommittedOffset> committed = Map.of(A0, new CommittedOffset(1, "x", 2),
                B7, new CommittedOffset(3, "", 4));
        roundTrips(committed, GroupPayloads.committed(committed), GroupPayloadReader::committedMap);
        roundTrips(Map.of(A0, 9L), GroupPayloads.offsets(Map.of(A0, 9L)), GroupPayloadReader::offsetMap);
        OffsetResolution.Request resolve = GroupPayloads.read(GroupPayloads.resolve(OffsetResolution.TIMESTAMP, 123,
                List.of(B7)), OffsetResolution::readRequest);
        assertEquals(new OffsetResolution.Request(B7, new OffsetResolution.Query(OffsetResolution.TIMESTAMP, 123)),
                resolve);
        assertEquals(committed, ReplicatedOffsetsCache.decode(ReplicatedOffsetsCache.encode(committed)));
    }

    @Test
    void truncatedPaddedAndVersionedPayloadsAreRefused() {
        byte[] whole = bytes(GroupPayloads.description(DESCRIPTION));
        for (int cut = 0; cut < whole.length; cut++) {
            ByteBuffer truncated = ByteBuffer.wrap(Arrays.copyOf(whole, cut));
            assertInvalid(() -> GroupPayloads.read(truncated, GroupPayloads::readDescription), "cut at " + cut);
        }
        ByteBuffer padded = ByteBuffer.wrap(Arrays.copyOf(whole, whole.length + 1));
        assertInvalid(() -> GroupPayloads.read(padded, GroupPayloads::readDescription), "padded");
        byte[] versioned = whole.clone();
        versioned[0] = 2;
        assertInvalid(() -> GroupPayloads.read(ByteBuffer.wrap(versioned), GroupPayloads::readDescription), "version 2");
    }

    @Test
    void countsThatClaimMoreThanThePayloadHoldsAreRefusedBeforeAllocating() {
        byte[] commit = bytes(GroupPayloads.commit(COMMIT));
        // version, groupId "billing", memberId "m-1", epoch: then the offsets' count
        int countAt = 1 + 2 + 7 + 2 + 3 + 4;
        for (int count : new int[] {3, 1 << 20, Integer.MAX_VALUE, -1}) {
            byte[] lying = commit.clone();
            ByteBuffer.wrap(lying).putInt(countAt, count);
            assertInvalid(() -> GroupPayloads.read(ByteBuffer.wrap(lying), GroupPayloads::readCommit), "count " + count);
        }
    }

    @Test
    void randomDamageIsRefusedOrReadButNeverThrowsAnythingElse() {
        Random random = new Random(SEED);
        System.out.println("GroupPayloadsTest seed " + SEED);
        byte[] whole = bytes(GroupPayloads.heartbeat(HEARTBEAT));
        for (int i = 0; i < 2_000; i++) {
            byte[] damaged = whole.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                damaged[random.nextInt(damaged.length)] ^= (byte) (1 << random.nextInt(8));
            }
            try {
                GroupPayloads.read(ByteBuffer.wrap(damaged), GroupPayloads::readHeartbeat);
            } catch (SluiceException e) {
                assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.getMessage());
            }
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private static void assertInvalid(org.junit.jupiter.api.function.Executable read, String what) {
        SluiceException e = assertThrows(SluiceException.class, read, what);
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), what + ": " + e.getMessage());
    }
}
