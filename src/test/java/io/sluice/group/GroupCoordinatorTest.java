package io.sluice.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership, commits and the admin operations of one coordinator over real offsets-topic logs. */
class GroupCoordinatorTest {
    private static final String G = "orders";

    @TempDir
    Path dir;
    private GroupHarness h;

    @BeforeEach
    void setUp() {
        h = new GroupHarness(dir);
        h.catalog.topic("t", 6);
        h.coordinate(G);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    static ErrorCode codeOf(Supplier<?> call) {
        try {
            Object result = call.get();
            if (result instanceof CompletableFuture<?> f) {
                f.join();
            }
        } catch (CompletionException e) {
            return ((SluiceException) SluiceException.causeOf(e)).code();
        } catch (SluiceException e) {
            return e.code();
        }
        throw new AssertionError("expected a refusal");
    }

    private SimMember member() {
        return new SimMember(G, "t", AssignmentStrategy.STICKY, RebalanceProtocol.COOPERATIVE);
    }

    /** Heartbeats every member in turn until each is told to heartbeat slowly (it owns its target). */
    static void settle(GroupCoordinator coordinator, SimMember... members) {
        for (int round = 0; round < 20; round++) {
            boolean settled = true;
            for (SimMember m : members) {
                settled &= m.beat(coordinator).heartbeatIntervalMs() > 50;
            }
            if (settled) {
                return;
            }
        }
        throw new AssertionError("the group did not settle in 20 rounds");
    }

    private static Set<TopicPartition> partitions(String topic, int... ps) {
        Set<TopicPartition> s = new HashSet<>();
        for (int p : ps) {
            s.add(new TopicPartition(topic, p));
        }
        return s;
    }

    @Test
    void aSingleMemberGetsEveryPartitionAndASettledMemberHeartbeatsSlowly() {
        SimMember a = member();
        HeartbeatReply r = a.beat(h.coordinator);
        assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), r.assignment());
        assertTrue(r.memberEpoch() > 0);
        assertEquals(h.settings.rebalanceHeartbeatMs(), r.heartbeatIntervalMs(), "not yet owning its target");
        r = a.beat(h.coordinator);
        assertEquals(h.settings.heartbeatIntervalMs(), r.heartbeatIntervalMs(), "stable");
        assertEquals(GroupState.STABLE, h.coordinator.describe(G).state());
    }

    @Test
    void aStaleGenerationCommitIsRefused() {
        SimMember a = member();
        a.beat(h.coordinator);
        a.beat(h.coordinator);
        int oldEpoch = a.epoch;
        TopicPartition tp0 = new TopicPartition("t", 0);
        assertEquals(Map.of(tp0, 5L), Map.of(tp0, h.coordinator.commit(a.commit(tp0, 5)).join().get(tp0).offset()));
        SimMember b = member();
        b.beat(h.coordinator); // the group epoch moves on
        a.beat(h.coordinator); // a gives up what moves to b, and moves to the new epoch
        a.beat(h.coordinator);
        assertTrue(a.epoch > oldEpoch, "a is at the new epoch: " + a.epoch);
        OffsetCommit stale = new OffsetCommit(G, a.id, oldEpoch, Map.of(tp0, 9L), "");
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, codeOf(() -> h.coordinator.commit(stale)));
        assertEquals(5, h.committed(G).get(tp0).offset(), "the refused commit changed nothing");
    }

    @Test
    void anUnknownMembersCommitIsRefused() {
        SimMember a = member();
        a.beat(h.coordinator);
        OffsetCommit ghost = new OffsetCommit(G, "m-ghost", a.epoch, Map.of(new TopicPartition("t", 0), 1L), "");
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, codeOf(() -> h.coordinator.commit(ghost)));
        OffsetCommit noGroup = new OffsetCommit("nobody", "m-ghost", 1, Map.of(new TopicPartition("t", 0), 1L), "");
        h.coordinate("nobody");
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, codeOf(() -> h.coordinator.commit(noGroup)));
        assertTrue(h.committed(G).isEmpty());
    }

    @Test
    void aCommitOfAPartitionTheMemberDoesNotOwnOrOfANegativeOffsetIsRefused() {
        SimMember a = member();
        SimMember b = member();
        settle(h.coordinator, a, b);
        TopicPartition notA = b.owned.iterator().next();
        assertFalse(a.owned.contains(notA));
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, codeOf(() -> h.coordinator.commit(a.commit(notA, 3))));
        TopicPartition mine = a.owned.iterator().next();
        assertEquals(ErrorCode.INVALID_OFFSET, codeOf(() -> h.coordinator.commit(a.commit(mine, -1))));
        assertTrue(h.committed(G).isEmpty());
    }

    @Test
    void aResetWithLiveMembersIsRefusedAndAfterTheyLeaveItIsWritten() {
        SimMember a = member();
        a.beat(h.coordinator);
        TopicPartition tp = new TopicPartition("t", 2);
        assertEquals(ErrorCode.GROUP_NOT_EMPTY, codeOf(() -> h.coordinator.resetOffsets(G, Map.of(tp, 0L))));
        assertEquals(ErrorCode.GROUP_NOT_EMPTY, codeOf(() -> h.coordinator.delete(G)));
        a.leave(h.coordinator);
        assertEquals(GroupState.EMPTY, h.coordinator.resetOffsets(G, Map.of(tp, 42L))
                .thenApply(w -> h.coordinator.describe(G).state()).join());
        assertEquals(42, h.committed(G).get(tp).offset());
        HeartbeatReply joined = member().beat(h.coordinator);
        assertEquals(42, joined.committed().get(tp).offset(), "a joining member starts from the reset offset");
    }

    @Test
    void deleteWritesTombstonesAndForgetsTheGroupAcrossARestart() {
        SimMember a = member();
        a.beat(h.coordinator);
        TopicPartition tp = new TopicPartition("t", 1);
        h.coordinator.commit(a.commit(tp, 7)).join();
        a.leave(h.coordinator);
        h.coordinator.delete(G).join();
        assertTrue(h.committed(G).isEmpty());
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(G)));
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.delete(G)));
        h.restart(G);
        assertEquals(ErrorCode.GROUP_NOT_FOUND, codeOf(() -> h.coordinator.describe(G)));
        List<OffsetsTopic.Entry> records = h.topic.entries(GroupCoordinator.partitionFor(G));
        assertEquals(null, records.get(records.size() - 1).value(), "the last record is a tombstone");
    }

    @Test
    void describeShowsLagForCommittedAndAssignedPartitions() {
        SimMember a = member();
        a.beat(h.coordinator);
        a.beat(h.coordinator);
        TopicPartition tp0 = new TopicPartition("t", 0);
        h.catalog.end(tp0, 100);
        h.catalog.end(new TopicPartition("t", 1), 30);
        h.coordinator.commit(a.commit(tp0, 40)).join();
        GroupDescription d = h.coordinator.describe(G);
        assertEquals(6, d.offsets().size());
        PartitionLag lag0 = d.offsets().get(0);
        assertEquals(new PartitionLag("t", 0, 40, 100, 60), lag0);
        assertEquals(new PartitionLag("t", 1, -1, 30, -1), d.offsets().get(1));
        assertEquals(1, d.members().size());
        assertEquals(a.owned, d.members().get(0).owned());
        assertEquals(RebalanceProtocol.COOPERATIVE, d.protocol());
        assertEquals(AssignmentStrategy.STICKY, d.strategy());
        assertEquals(1, d.coordinator());
    }

    @Test
    void listShowsEachGroupWithItsStateAndMembers() {
        String other = "ledger";
        h.coordinate(other);
        SimMember a = member();
        settle(h.coordinator, a);
        SimMember l = new SimMember(other, "t", null, null);
        settle(h.coordinator, l);
        h.coordinator.commit(l.commit(l.owned.iterator().next(), 3)).join();
        l.leave(h.coordinator);
        assertEquals(List.of(new GroupListing(other, GroupState.EMPTY, 0), new GroupListing(G, GroupState.STABLE, 1)),
                h.coordinator.list());
        SimMember b = member();
        b.beat(h.coordinator);
        assertEquals(new GroupListing(G, GroupState.RECONCILING, 2), h.coordinator.list().get(1));
    }

    @Test
    void groupIdsAreValidated() {
        for (String bad : new String[] {"", "x".repeat(250), "a\nb", "tab\t", "\u0000"}) {
            assertEquals(ErrorCode.INVALID_GROUP_ID, codeOf(() -> h.coordinator.heartbeat(new MemberHeartbeat(bad,
                    null, 0, "h", List.of("t"), null, null, Set.of(), 0))), bad);
        }
        GroupCoordinator.validateGroupId("x".repeat(249));
    }

    @Test
    void aJoinAskingForAnotherAssignorOrProtocolIsRefused() {
        member().beat(h.coordinator);
        SimMember range = new SimMember(G, "t", AssignmentStrategy.RANGE, RebalanceProtocol.COOPERATIVE);
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, codeOf(() -> range.beat(h.coordinator)));
        SimMember eager = new SimMember(G, "t", AssignmentStrategy.STICKY, RebalanceProtocol.EAGER);
        assertEquals(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, codeOf(() -> eager.beat(h.coordinator)));
    }

    @Test
    void aFullGroupRefusesAnotherMember() {
        h.close();
        h = new GroupHarness(dir.resolve("small"), new GroupSettings(1_000, 50, 10_000, 1_000, 60_000,
                60_000, 1, 2));
        h.catalog.topic("t", 6);
        h.coordinate(G);
        member().beat(h.coordinator);
        member().beat(h.coordinator);
        assertEquals(ErrorCode.GROUP_MAX_SIZE_REACHED, codeOf(() -> member().beat(h.coordinator)));
    }

    @Test
    void requestsFailNotCoordinatorOutsideItsPartitionsAndCoordinatorNotAvailableWhileLoading() {
        String other = "elsewhere";
        assertTrue(GroupCoordinator.partitionFor(other) != GroupCoordinator.partitionFor(G));
        SimMember m = new SimMember(other, "t", null, null);
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> m.beat(h.coordinator)));
        assertFalse(h.coordinator.coordinates(other));
        CompletableFuture<Void> gate = new CompletableFuture<>();
        h.topic.replayGate = gate;
        CompletableFuture<Void> loading = h.coordinator.takeOver(GroupCoordinator.partitionFor(other));
        assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, codeOf(() -> m.beat(h.coordinator)));
        gate.complete(null);
        loading.join();
        m.beat(h.coordinator);
        h.coordinator.giveUp(GroupCoordinator.partitionFor(other));
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> m.beat(h.coordinator)));
        assertEquals(ErrorCode.NOT_COORDINATOR, codeOf(() -> h.coordinator.describe(other)));
    }

    @Test
    void aSilentMemberExpiresAndItsPartitionsMove() {
        SimMember a = member();
        SimMember b = member();
        settle(h.coordinator, a, b);
        assertEquals(3, a.owned.size());
        for (int i = 0; i < 12; i++) { // b goes silent; a keeps heartbeating
            h.advance(1_000);
            a.beat(h.coordinator);
            h.coordinator.sweep();
        }
        a.beat(h.coordinator);
        assertEquals(6, a.owned.size(), "a took over b's partitions");
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, codeOf(() -> b.beat(h.coordinator)));
    }

    @Test
    void aTopicCreatedLaterIsAssignedOnAHeartbeat() {
        SimMember a = new SimMember(G, List.of("t", "later"), null, null, 10_000);
        a.beat(h.coordinator);
        a.beat(h.coordinator);
        assertEquals(6, a.owned.size());
        h.catalog.topic("later", 2);
        a.beat(h.coordinator);
        assertEquals(8, a.owned.size());
        h.catalog.topic("later", 3);
        a.beat(h.coordinator);
        assertTrue(a.owned.contains(new TopicPartition("later", 2)), "a grown topic's new partition");
    }

    @Test
    void rebalanceStatsCountCompletedRebalances() {
        SimMember a = member();
        a.beat(h.coordinator);
        h.advance(10);
        a.beat(h.coordinator);
        assertEquals(1, h.coordinator.rebalanceStats().get(G).rebalances());
        assertEquals(10, h.coordinator.rebalanceStats().get(G).lastRebalanceMs());
        SimMember b = member();
        b.beat(h.coordinator); // the rebalance starts here
        h.advance(5);
        a.beat(h.coordinator); // a is told to give up three partitions
        a.beat(h.coordinator); // its extra heartbeat says it has
        h.advance(5);
        b.beat(h.coordinator); // b is handed them
        h.advance(7);
        b.beat(h.coordinator); // b owns them: every member owns its target
        GroupCoordinator.RebalanceStats stats = h.coordinator.rebalanceStats().get(G);
        assertEquals(2, stats.rebalances());
        assertEquals(17, stats.lastRebalanceMs());
        assertEquals(2, stats.members());
    }
}
