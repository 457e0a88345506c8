package io.sluice.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReassignmentTest {
    private static final Set<Integer> ALL = Set.of(1, 2, 3, 4, 5, 6);

    private static PartitionState moving(List<Integer> replicas, List<Integer> target) {
        PartitionState s = PartitionState.initial("t", "id-t", 0, replicas);
        return s.withReplicas(s.replicas(), s.isr(), target);
    }

    /** What the leader's replication does between controller passes: an assigned replica catches up. */
    private static PartitionState caughtUp(PartitionState s, int broker) {
        List<Integer> isr = new ArrayList<>(s.isr());
        isr.add(broker);
        return s.withIsr(isr);
    }

    private static PartitionState step(PartitionState s) {
        return Reassignment.step(s, ALL).orElseThrow(() -> new AssertionError("no step from " + s));
    }

    @Test
    void threeBrokersMoveToFourFiveSixStepByStep() {
        PartitionState s = moving(List.of(1, 2, 3), List.of(4, 5, 6));

        s = step(s);
        assertEquals(List.of(4, 5, 6, 1, 2, 3), s.replicas(), "expanded: target first");
        assertEquals(List.of(1, 2, 3), s.isr());
        assertEquals(List.of(4, 5, 6), s.targetReplicas());
        assertEquals(1, s.leader());
        assertEquals(Optional.empty(), Reassignment.step(s, ALL), "waits for the new replicas");

        s = caughtUp(caughtUp(s, 4), 5);
        assertEquals(Optional.empty(), Reassignment.step(s, ALL), "waits for every new replica");
        s = caughtUp(s, 6);

        int epoch = s.leaderEpoch();
        s = step(s);
        assertEquals(4, s.leader(), "leadership moves to the first target replica");
        assertEquals(epoch + 1, s.leaderEpoch());
        assertEquals(List.of(4, 5, 6, 1, 2, 3), s.replicas());

        s = step(s);
        assertEquals(List.of(4, 5, 6), s.replicas());
        assertEquals(List.of(4, 5, 6), s.isr());
        assertEquals(List.of(), s.targetReplicas());
        assertEquals(4, s.leader());
        assertEquals(Optional.empty(), Reassignment.step(s, ALL), "done");
    }

    /**
     * The whole run, as the sequence of stored states; then, for each of them, a controller that
     * starts from it (its predecessor killed after writing it) reaches the same end, and re-running
     * the step on a state just written never repeats that write.
     */
    @Test
    void interruptedAtAnyStepAndResumedEndsTheSame() {
        List<PartitionState> stored = run(moving(List.of(1, 2, 3), List.of(4, 5, 6)));
        PartitionState end = stored.get(stored.size() - 1);
        assertEquals(List.of(4, 5, 6), end.replicas());
        for (int i = 0; i < stored.size(); i++) {
            List<PartitionState> resumed = run(stored.get(i));
            assertEquals(end, resumed.get(resumed.size() - 1), "resumed from " + stored.get(i));
            for (int j = 1; j < resumed.size(); j++) {
                assertFalse(resumed.get(j).equals(resumed.get(j - 1)), "a step that changed nothing");
            }
        }
    }

    /** Controller steps interleaved with the replicas catching up, until nothing is left to do. */
    private static List<PartitionState> run(PartitionState from) {
        List<PartitionState> states = new ArrayList<>(List.of(from));
        PartitionState s = from;
        for (int guard = 0; guard < 20; guard++) {
            Optional<PartitionState> next = Reassignment.step(s, ALL);
            if (next.isEmpty()) {
                PartitionState current = s;
                Optional<Integer> lagging = current.replicas().stream().filter(r -> !current.isr().contains(r))
                        .findFirst();
                if (lagging.isEmpty()) {
                    return states;
                }
                next = Optional.of(caughtUp(s, lagging.get()));
            }
            s = next.get();
            states.add(s);
        }
        throw new AssertionError("no end after 20 steps: " + states);
    }

    @Test
    void aLeaderThatStaysInTheTargetKeepsLeading() {
        PartitionState s = moving(List.of(1, 2, 3), List.of(3, 1, 4));
        s = caughtUp(step(s), 4);
        s = step(s);
        assertEquals(List.of(3, 1, 4), s.replicas());
        assertEquals(List.of(1, 3, 4), s.isr());
        assertEquals(1, s.leader(), "no leader change: the preferred-leader restore does that later");
        assertEquals(0, s.leaderEpoch());
    }

    @Test
    void aReorderNeedsNoExpansion() {
        PartitionState s = step(moving(List.of(1, 2, 3), List.of(2, 1, 3)));
        assertEquals(List.of(2, 1, 3), s.replicas());
        assertFalse(s.reassigning());
    }

    @Test
    void leadershipSkipsADeadTargetReplica() {
        PartitionState s = moving(List.of(1, 2, 3), List.of(4, 5, 6));
        s = caughtUp(caughtUp(caughtUp(step(s), 4), 5), 6);
        PartitionState next = Reassignment.step(s, Set.of(1, 2, 3, 5, 6)).orElseThrow();
        assertEquals(5, next.leader());
        assertEquals(Optional.empty(), Reassignment.step(s, Set.of(1, 2, 3)), "no target replica alive: wait");
    }

    @Test
    void aNewTargetReplacesARunningOneAndTheEndIsTheNewTarget() {
        PartitionState s = step(moving(List.of(1, 2, 3), List.of(4, 5, 6)));
        s = s.withReplicas(s.replicas(), s.isr(), List.of(1, 5, 6));
        s = step(s);
        assertEquals(List.of(1, 5, 6, 4, 2, 3), s.replicas());
        List<PartitionState> rest = run(s);
        PartitionState end = rest.get(rest.size() - 1);
        assertEquals(List.of(1, 5, 6), end.replicas());
        assertTrue(end.isr().containsAll(List.of(1, 5, 6)) && end.isr().size() == 3, end.toString());
        assertEquals(1, end.leader());
    }

    @Test
    void theOriginalReplicasAsANewTargetRollTheMoveBack() {
        PartitionState s = caughtUp(step(moving(List.of(1, 2, 3), List.of(4, 5, 6))), 4);
        s = s.withReplicas(s.replicas(), s.isr(), List.of(1, 2, 3));
        s = step(s);
        assertEquals(List.of(1, 2, 3), s.replicas());
        assertEquals(List.of(1, 2, 3), s.isr());
        assertFalse(s.reassigning());
        assertEquals(1, s.leader());
    }

    @Test
    void noTargetNoStep() {
        assertEquals(Optional.empty(), Reassignment.step(PartitionState.initial("t", "id", 0, List.of(1)), ALL));
    }

    @Test
    void progressNamesWhatIsAddedAndWhatIsRemoved() {
        PartitionState s = caughtUp(step(moving(List.of(1, 2, 3), List.of(3, 4, 5))), 4);
        ReassignmentProgress p = ReassignmentProgress.of(s);
        assertTrue(p.inProgress());
        assertEquals(List.of(5), p.adding());
        assertEquals(List.of(1, 2), p.removing());
        ReassignmentProgress idle = ReassignmentProgress.of(PartitionState.initial("t", "id", 0, List.of(1, 2)));
        assertFalse(idle.inProgress());
        assertEquals(List.of(), idle.removing());
    }
}
