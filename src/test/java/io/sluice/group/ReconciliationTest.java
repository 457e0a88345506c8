package io.sluice.group;

import static io.sluice.group.GroupCoordinatorTest.codeOf;
import static io.sluice.group.GroupCoordinatorTest.settle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How members move to a new target: eager revokes all first, cooperative only what moves; epochs and fencing. */
class ReconciliationTest {
    private static final String G = "recon";

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

    private SimMember member(RebalanceProtocol protocol) {
        return new SimMember(G, "t", AssignmentStrategy.RANGE, protocol);
    }

    @Test
    void eagerRevokesEveryPartitionBeforeHandingAnyOut() {
        SimMember a = member(RebalanceProtocol.EAGER);
        SimMember b = member(RebalanceProtocol.EAGER);
        settle(h.coordinator, a, b);
        int epochA = a.epoch;
        SimMember c = member(RebalanceProtocol.EAGER);
        HeartbeatReply rc = c.beat(h.coordinator);
        assertEquals(Set.of(), rc.assignment(), "nothing is handed out while others hold partitions");
        HeartbeatReply ra = a.beat(h.coordinator);
        assertEquals(Set.of(), ra.assignment(), "eager: a gives up everything, even what it keeps");
        assertEquals(epochA, ra.memberEpoch(), "a keeps its epoch until it has given up its partitions");
        assertEquals(h.settings.rebalanceHeartbeatMs(), ra.heartbeatIntervalMs());
        assertEquals(Set.of(), a.beat(h.coordinator).assignment(), "b still holds its partitions");
        assertEquals(Set.of(), c.beat(h.coordinator).assignment());
        b.beat(h.coordinator); // told to give up everything
        HeartbeatReply rb = b.beat(h.coordinator); // says it has: nobody holds anything, targets go out
        assertEquals(2, rb.assignment().size());
        settle(h.coordinator, a, b, c);
        Set<TopicPartition> all = new HashSet<>();
        for (SimMember m : List.of(a, b, c)) {
            assertEquals(2, m.owned.size());
            all.addAll(m.owned);
        }
        assertEquals(6, all.size());
        assertEquals(GroupState.STABLE, h.coordinator.describe(G).state());
    }

    @Test
    void cooperativeMembersKeepWhatStaysTheirsAndCommitWhatTheyGiveUpAtTheirOldEpoch() {
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a);
        assertEquals(6, a.owned.size());
        int oldEpoch = a.epoch;
        SimMember b = member(RebalanceProtocol.COOPERATIVE);
        assertEquals(Set.of(), b.beat(h.coordinator).assignment(), "a still owns everything");
        Set<TopicPartition> before = Set.copyOf(a.owned);
        HeartbeatReply ra = a.beat(h.coordinator);
        // Range: a keeps t-0..t-2, gives up t-3..t-5 and keeps reading the rest without a pause.
        Set<TopicPartition> kept = Set.of(new TopicPartition("t", 0), new TopicPartition("t", 1),
                new TopicPartition("t", 2));
        assertEquals(kept, ra.assignment());
        assertEquals(oldEpoch, ra.memberEpoch(), "still giving partitions up");
        // Before saying it gave t-5 up, the session commits it, at the epoch it has.
        TopicPartition moving = new TopicPartition("t", 5);
        h.coordinator.commit(new OffsetCommit(G, a.id, a.epoch, Map.of(moving, 77L), "")).join();
        HeartbeatReply released = a.beat(h.coordinator);
        assertTrue(released.memberEpoch() > oldEpoch, "at the new epoch once it has given them up");
        assertEquals(kept, released.assignment());
        HeartbeatReply rb = b.beat(h.coordinator);
        assertEquals(3, rb.assignment().size());
        assertEquals(77, rb.committed().get(moving).offset(), "b starts where a committed");
        assertTrue(before.containsAll(ra.assignment()));
        OffsetCommit stale = new OffsetCommit(G, a.id, oldEpoch, Map.of(kept.iterator().next(), 1L), "");
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, codeOf(() -> h.coordinator.commit(stale)));
    }

    @Test
    void aHeartbeatRetriedAfterALostReplyIsAnsweredAtTheCurrentEpoch() {
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a);
        int before = a.epoch;
        SimMember b = member(RebalanceProtocol.COOPERATIVE);
        b.beat(h.coordinator);
        HeartbeatReply lost = h.coordinator.heartbeat(a.heartbeatRequest()).join(); // a gives t-3..t-5 up
        a.beat(h.coordinator); // its retry, still at its old epoch, owning what it owned
        assertTrue(lost.memberEpoch() == before && a.epoch == before, "still giving partitions up");
        h.coordinator.heartbeat(a.heartbeatRequest()).join(); // moves a to the new epoch; the reply is lost
        HeartbeatReply retried = a.beat(h.coordinator);
        assertTrue(retried.memberEpoch() > before, "the retry is answered at the current epoch");
        settle(h.coordinator, a, b);
        assertEquals(3, b.owned.size());
    }

    @Test
    void aHeartbeatAtAStaleEpochIsFencedAndFreesItsPartitions() {
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        SimMember b = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a, b);
        int real = a.epoch;
        a.epoch = real + 1; // an epoch it was never given
        assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, codeOf(() -> a.beat(h.coordinator)));
        a.reset();
        settle(h.coordinator, b);
        assertEquals(6, b.owned.size(), "the fenced member's partitions went to b");
    }

    @Test
    void aLeavingMembersPartitionsAreFreeAtOnce() {
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        SimMember b = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a, b);
        a.leave(h.coordinator);
        HeartbeatReply rb = b.beat(h.coordinator);
        assertEquals(6, rb.assignment().size());
        assertEquals(1, h.coordinator.describe(G).members().size());
    }

    @Test
    void aMemberJoiningWithPartitionsItMustGiveUpStillGetsAnEpoch() {
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a);
        SimMember b = member(RebalanceProtocol.COOPERATIVE);
        b.owned = new HashSet<>(Set.of(new TopicPartition("elsewhere", 0))); // it should have given this up
        HeartbeatReply joined = b.beat(h.coordinator);
        assertTrue(joined.memberEpoch() > 0, "a joined member has an epoch: " + joined.memberEpoch());
        settle(h.coordinator, a, b);
        assertEquals(1, h.coordinator.describe(G).members().stream().filter(d -> d.memberId().equals(b.id)).count());
        assertEquals(2, h.coordinator.describe(G).members().size(), "b joined once");
    }

    @Test
    void aMemberChangingItsTopicsGetsANewTarget() {
        h.catalog.topic("u", 2);
        SimMember a = member(RebalanceProtocol.COOPERATIVE);
        settle(h.coordinator, a);
        a.topics = List.of("u");
        settle(h.coordinator, a);
        assertEquals(Set.of(new TopicPartition("u", 0), new TopicPartition("u", 1)), a.owned);
    }
}
