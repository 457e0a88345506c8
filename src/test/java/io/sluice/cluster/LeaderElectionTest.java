package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
    private static final long SEED = 8L;

    private static PartitionState state(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
        return new PartitionState("t", "id-t", 0, leader, leaderEpoch, 10, replicas, isr, List.of());
    }

    private static PartitionState elected(PartitionState s, Set<Integer> live, boolean unclean) {
        return LeaderElection.elect(s, live, unclean).orElseThrow();
    }

    @Test
    void aLiveLeaderInTheIsrWithLiveFollowersStays() {
        PartitionState s = state(1, 3, List.of(1, 2, 3), List.of(1, 2, 3));
        assertEquals(Optional.empty(), LeaderElection.elect(s, Set.of(1, 2, 3), false));
        assertEquals(Optional.empty(), LeaderElection.elect(s, Set.of(1, 2, 3, 4), true));
    }

    @Test
    void aDeadFollowerLeavesTheIsrUnderTheSameLeaderEpoch() {
        PartitionState s = state(1, 3, List.of(1, 2, 3), List.of(1, 2, 3));
        PartitionState next = elected(s, Set.of(1, 3), false);
        assertEquals(1, next.leader());
        assertEquals(3, next.leaderEpoch());
        assertEquals(11, next.partitionEpoch());
        assertEquals(List.of(1, 3), next.isr());
    }

    @Test
    void aDeadLeaderIsReplacedByTheFirstReplicaInReplicaOrderThatIsAliveAndInSync() {
        PartitionState s = state(1, 3, List.of(1, 2, 3), List.of(3, 1, 2));
        PartitionState next = elected(s, Set.of(2, 3), false);
        assertEquals(2, next.leader(), "replica order, not ISR order");
        assertEquals(4, next.leaderEpoch());
        assertEquals(11, next.partitionEpoch());
        assertEquals(List.of(3, 2), next.isr());
        assertEquals(List.of(1, 2, 3), next.replicas());
    }

    @Test
    void aLiveReplicaOutsideTheIsrIsPassedOver() {
        PartitionState s = state(1, 0, List.of(1, 2, 3), List.of(1, 3));
        assertEquals(3, elected(s, Set.of(2, 3), false).leader());
    }

    @Test
    void aLiveLeaderOutsideTheIsrIsReplaced() {
        PartitionState s = state(1, 5, List.of(1, 2, 3), List.of(2, 3));
        PartitionState next = elected(s, Set.of(1, 2, 3), false);
        assertEquals(2, next.leader());
        assertEquals(6, next.leaderEpoch());
    }

    @Test
    void noIsrMemberAliveAndUncleanOffLeavesNoLeaderAtANewEpochWithTheIsrKept() {
        PartitionState s = state(1, 7, List.of(1, 2, 3), List.of(1, 2));
        PartitionState next = elected(s, Set.of(3), false);
        assertEquals(PartitionState.NO_LEADER, next.leader());
        assertEquals(8, next.leaderEpoch(), "the old leader is fenced by the new epoch");
        assertEquals(List.of(1, 2), next.isr(), "the ISR is kept: only its members have every acknowledged record");
        assertEquals(Optional.empty(), LeaderElection.elect(next, Set.of(3), false), "no epoch churn while leaderless");
        assertEquals(Optional.empty(), LeaderElection.elect(next, Set.of(), false));
    }

    @Test
    void theLastIsrMemberIsKeptWhenItDies() {
        PartitionState s = state(2, 1, List.of(1, 2, 3), List.of(2));
        PartitionState next = elected(s, Set.of(1, 3), false);
        assertEquals(PartitionState.NO_LEADER, next.leader());
        assertEquals(List.of(2), next.isr());
    }

    @Test
    void anIsrMemberThatReturnsToALeaderlessPartitionLeadsIt() {
        PartitionState s = state(PartitionState.NO_LEADER, 8, List.of(1, 2, 3), List.of(1, 2));
        PartitionState next = elected(s, Set.of(2, 3), false);
        assertEquals(2, next.leader());
        assertEquals(9, next.leaderEpoch());
        assertEquals(List.of(2), next.isr());
    }

    @Test
    void uncleanElectionTakesTheFirstLiveReplicaAsTheWholeIsr() {
        PartitionState s = state(1, 7, List.of(1, 2, 3), List.of(1));
        PartitionState next = elected(s, Set.of(2, 3), true);
        assertEquals(2, next.leader());
        assertEquals(8, next.leaderEpoch());
        assertEquals(List.of(2), next.isr());
    }

    @Test
    void uncleanElectionStillPrefersTheIsr() {
        PartitionState s = state(1, 7, List.of(1, 2, 3), List.of(1, 3));
        assertEquals(3, elected(s, Set.of(2, 3), true).leader());
    }

    @Test
    void uncleanElectionWithNoLiveReplicaLeavesNoLeader() {
        PartitionState s = state(1, 7, List.of(1, 2, 3), List.of(1));
        PartitionState next = elected(s, Set.of(4), true);
        assertEquals(PartitionState.NO_LEADER, next.leader());
        assertEquals(8, next.leaderEpoch());
    }

    @Test
    void aLeaderlessPartitionTurnedUncleanElectsALiveReplica() {
        PartitionState s = state(PartitionState.NO_LEADER, 8, List.of(1, 2, 3), List.of(1));
        assertEquals(Optional.empty(), LeaderElection.elect(s, Set.of(3), false));
        assertEquals(3, elected(s, Set.of(3), true).leader());
    }

    @Test
    void thePreferredReplicaAliveAndInSyncTakesLeadershipBack() {
        PartitionState s = state(2, 4, List.of(1, 2, 3), List.of(2, 3, 1));
        PartitionState next = LeaderElection.restorePreferred(s, Set.of(1, 2, 3)).orElseThrow();
        assertEquals(1, next.leader());
        assertEquals(5, next.leaderEpoch());
        assertEquals(List.of(2, 3, 1), next.isr());
    }

    @Test
    void thePreferredReplicaOutOfSyncDeadOrLeadingAlreadyChangesNothing() {
        PartitionState outOfSync = state(2, 4, List.of(1, 2, 3), List.of(2, 3));
        assertEquals(Optional.empty(), LeaderElection.restorePreferred(outOfSync, Set.of(1, 2, 3)));
        PartitionState inSync = state(2, 4, List.of(1, 2, 3), List.of(2, 3, 1));
        assertEquals(Optional.empty(), LeaderElection.restorePreferred(inSync, Set.of(2, 3)));
        PartitionState leading = state(1, 4, List.of(1, 2, 3), List.of(1, 2, 3));
        assertEquals(Optional.empty(), LeaderElection.restorePreferred(leading, Set.of(1, 2, 3)));
    }

    /**
     * Random states and live sets: every decision is a valid next version, a clean leader comes from
     * the ISR, the ISR never empties, and a second call on the result changes nothing more.
     */
    @Test
    void randomStatesKeepTheInvariantsAndReachAFixpointInOneStep() {
        Random random = new Random(SEED);
        System.out.println("seed=" + SEED);
        for (int round = 0; round < 20_000; round++) {
            List<Integer> brokers = new ArrayList<>(List.of(1, 2, 3, 4, 5));
            Collections.shuffle(brokers, random);
            List<Integer> replicas = List.copyOf(brokers.subList(0, 1 + random.nextInt(4)));
            List<Integer> isr = replicas.stream().filter(r -> random.nextInt(3) > 0).toList();
            if (isr.isEmpty()) {
                isr = List.of(replicas.get(random.nextInt(replicas.size())));
            }
            int leader = random.nextInt(4) == 0 ? PartitionState.NO_LEADER : isr.get(random.nextInt(isr.size()));
            Set<Integer> live = new HashSet<>();
            brokers.stream().filter(b -> random.nextBoolean()).forEach(live::add);
            boolean unclean = random.nextInt(4) == 0;
            PartitionState s = state(leader, random.nextInt(5), replicas, isr);
            String where = "round " + round + ": " + s + " live " + live + " unclean " + unclean;
            Optional<PartitionState> next = LeaderElection.elect(s, live, unclean);
            if (next.isEmpty()) {
                continue;
            }
            PartitionState n = next.get();
            assertEquals(s.partitionEpoch() + 1, n.partitionEpoch(), where);
            assertEquals(s.leader() == n.leader() ? s.leaderEpoch() : s.leaderEpoch() + 1, n.leaderEpoch(), where);
            assertFalse(n.isr().isEmpty(), where);
            assertEquals(s.replicas(), n.replicas(), where);
            if (n.hasLeader()) {
                assertTrue(live.contains(n.leader()), where);
                assertTrue(n.isr().contains(n.leader()), where);
                assertTrue(unclean || s.isr().contains(n.leader()), where);
                assertTrue(live.containsAll(n.isr()), where);
            } else {
                assertEquals(s.isr(), n.isr(), where);
            }
            assertEquals(Optional.empty(), LeaderElection.elect(n, live, unclean), where);
        }
    }
}
