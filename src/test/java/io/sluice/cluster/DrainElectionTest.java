package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Leadership decisions with brokers draining: it moves off them, never onto them while another may lead. */
class DrainElectionTest {
    private static final Set<Integer> ALL = Set.of(1, 2, 3);

    private static PartitionState state(int leader, List<Integer> replicas, List<Integer> isr) {
        return new PartitionState("t", "id-t", 0, leader, 4, 10, replicas, isr, List.of());
    }

    @Test
    void aDrainingLeaderHandsOverToTheFirstInSyncReplicaNotDrainingAtANewEpoch() {
        PartitionState s = state(1, List.of(1, 2, 3), List.of(1, 2, 3));
        PartitionState next = LeaderElection.elect(s, ALL, Set.of(1), false).orElseThrow();
        assertEquals(2, next.leader());
        assertEquals(5, next.leaderEpoch());
        assertEquals(11, next.partitionEpoch());
        assertEquals(List.of(1, 2, 3), next.isr(), "the draining broker stays in sync: it holds every record");
        assertEquals(3, LeaderElection.elect(s, ALL, Set.of(1, 2), false).orElseThrow().leader());
    }

    @Test
    void aDrainingLeaderWithNoOtherInSyncReplicaKeepsItsPartition() {
        PartitionState alone = state(1, List.of(1, 2, 3), List.of(1));
        assertEquals(Optional.empty(), LeaderElection.elect(alone, ALL, Set.of(1), false),
                "a replica out of sync never takes over, and the partition does not go offline");
        PartitionState othersDraining = state(1, List.of(1, 2, 3), List.of(1, 2, 3));
        assertEquals(Optional.empty(), LeaderElection.elect(othersDraining, ALL, Set.of(1, 2, 3), false));
        PartitionState otherDead = state(1, List.of(1, 2), List.of(1, 2));
        assertEquals(Optional.of(otherDead.withIsr(List.of(1))),
                LeaderElection.elect(otherDead, Set.of(1), Set.of(1), false), "a dead follower still leaves the ISR");
    }

    @Test
    void aDeadLeaderIsReplacedByAReplicaNotDrainingAndByADrainingOneOnlyWhenNoneIsLeft() {
        PartitionState s = state(3, List.of(1, 2, 3), List.of(1, 2, 3));
        assertEquals(2, LeaderElection.elect(s, Set.of(1, 2), Set.of(1), false).orElseThrow().leader());
        assertEquals(1, LeaderElection.elect(s, Set.of(1), Set.of(1), false).orElseThrow().leader(),
                "a draining replica leads rather than leave the partition offline");
        PartitionState outOfSync = state(3, List.of(1, 2, 3), List.of(3));
        assertEquals(2, LeaderElection.elect(outOfSync, Set.of(1, 2), Set.of(1), true).orElseThrow().leader(),
                "an unclean election passes over a draining replica too");
    }

    @Test
    void aDrainingPreferredReplicaIsNotRestoredAsLeader() {
        PartitionState s = state(2, List.of(1, 2, 3), List.of(1, 2, 3));
        assertEquals(Optional.empty(), LeaderElection.restorePreferred(s, ALL, Set.of(1)));
        assertEquals(1, LeaderElection.restorePreferred(s, ALL, Set.of()).orElseThrow().leader());
    }

    @Test
    void aReassignmentMovesLeadershipToATargetNotDraining() {
        PartitionState moving = new PartitionState("t", "id-t", 0, 1, 4, 10, List.of(4, 5, 1), List.of(1, 4, 5),
                List.of(4, 5));
        Set<Integer> live = Set.of(1, 4, 5);
        assertEquals(5, Reassignment.step(moving, live, Set.of(4)).orElseThrow().leader());
        assertEquals(4, Reassignment.step(moving, live, Set.of(4, 5)).orElseThrow().leader());
    }
}
