package io.sluice.operator.roll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.operator.roll.RollState.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The roll's decisions, one table row per situation. */
class RollingRestartTest {
    private static final String OLD = "rev-1";
    private static final String NEW = "rev-2";
    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
    private static final RollSettings SETTINGS = new RollSettings(Duration.ofSeconds(120), Duration.ofSeconds(10),
            Duration.ofMinutes(5), Duration.ofSeconds(5));
    private static final RollingRestart ROLL = new RollingRestart(SETTINGS);

    /** A healthy cluster of brokers 0..2 with broker 0 as controller. */
    private static ClusterHealth healthy() {
        return health(0, 0, 0, Set.of(0, 1, 2), true);
    }

    private static ClusterHealth health(int controller, int underReplicated, int offline, Set<Integer> alive,
            boolean quorum) {
        return new ClusterHealth(quorum, controller, alive, underReplicated, offline, List.of());
    }

    private static PodState pod(int ordinal, String revision, boolean ready) {
        return new PodState(ordinal, revision, ready);
    }

    private static RollInput pods(PodState... pods) {
        return new RollInput(NEW, pods.length, List.of(pods));
    }

    private static RollInput allOld() {
        return pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, OLD, true));
    }

    private static RollState draining(int broker, Instant since, Integer leaderships) {
        return new RollState(Phase.DRAINING, broker, NEW, since, leaderships, List.of(), null);
    }

    private static RollState restarting(int broker, Instant since, List<Integer> restarted) {
        return new RollState(Phase.RESTARTING, broker, NEW, since, 0, restarted, null);
    }

    /**
     * @param expected the action's kind and broker ("Wait", "Drain 2", "DeletePod 1", "Done")
     * @param phase    the phase of the state to keep
     * @param words    text the Wait's or DeletePod's reason must contain (may be empty)
     */
    record Row(String name, RollState state, RollInput input, ClusterHealth health, Instant now, String expected,
            Phase phase, String words) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("every pod on the target: done", RollState.IDLE,
                pods(pod(0, NEW, true), pod(1, NEW, true), pod(2, NEW, true)), healthy(), T0, "Done", Phase.IDLE, ""));
        rows.add(new Row("done needs no healthy cluster", RollState.IDLE,
                pods(pod(0, NEW, true), pod(1, NEW, false)), health(0, 5, 1, Set.of(0), false), T0, "Done", Phase.IDLE, ""));
        rows.add(new Row("an under-replicated partition holds the first drain", RollState.IDLE, allOld(),
                health(0, 1, 0, Set.of(0, 1, 2), true), T0, "Wait", Phase.IDLE, "1 under-replicated partition"));
        rows.add(new Row("an offline partition holds it", RollState.IDLE, allOld(),
                health(0, 0, 2, Set.of(0, 1, 2), true), T0, "Wait", Phase.IDLE, "2 offline partition"));
        rows.add(new Row("a pod that is not ready holds it", RollState.IDLE,
                pods(pod(0, OLD, true), pod(1, OLD, false), pod(2, OLD, true)), healthy(), T0, "Wait", Phase.IDLE,
                "not ready: [1]"));
        rows.add(new Row("a missing pod is not ready", RollState.IDLE,
                new RollInput(NEW, 3, List.of(pod(0, OLD, true), pod(2, OLD, true))), healthy(), T0, "Wait", Phase.IDLE,
                "not ready: [1]"));
        rows.add(new Row("a broker the cluster does not see alive holds it", RollState.IDLE, allOld(),
                health(0, 0, 0, Set.of(0, 2), true), T0, "Wait", Phase.IDLE, "not alive in the cluster: 1"));
        rows.add(new Row("a broker outside the majority is not believed", RollState.IDLE, allOld(),
                health(0, 0, 0, Set.of(0, 1, 2), false), T0, "Wait", Phase.IDLE, "majority"));
        rows.add(new Row("healthy: the highest ordinal drains first", RollState.IDLE, allOld(), healthy(), T0,
                "Drain 2", Phase.DRAINING, ""));
        rows.add(new Row("the controller's broker goes last", RollState.IDLE, allOld(),
                health(2, 0, 0, Set.of(0, 1, 2), true), T0, "Drain 1", Phase.DRAINING, ""));
        rows.add(new Row("only outdated pods are rolled", RollState.IDLE,
                pods(pod(0, OLD, true), pod(1, NEW, true), pod(2, NEW, true)), healthy(), T0, "Drain 0", Phase.DRAINING, ""));
        rows.add(new Row("pods beyond the replica count are ignored", RollState.IDLE,
                new RollInput(NEW, 2, List.of(pod(0, NEW, true), pod(1, NEW, true), pod(2, OLD, false))),
                health(0, 0, 0, Set.of(0, 1), true), T0, "Done", Phase.IDLE, ""));
        rows.add(new Row("a lone broker is restarted without a drain", RollState.IDLE,
                new RollInput(NEW, 1, List.of(pod(0, OLD, true))), health(0, 0, 0, Set.of(0), true), T0,
                "DeletePod 0", Phase.RESTARTING, "only broker"));
        rows.add(new Row("drained to zero leaderships: delete the pod", draining(2, T0, 0), allOld(), healthy(),
                T0.plusSeconds(3), "DeletePod 2", Phase.RESTARTING, "leads no partition"));
        rows.add(new Row("leaderships left before the deadline: drain again", draining(2, T0, 3), allOld(), healthy(),
                T0.plusSeconds(30), "Drain 2", Phase.DRAINING, ""));
        rows.add(new Row("no drain answer yet: drain again", draining(2, T0, null), allOld(), healthy(),
                T0.plusSeconds(1), "Drain 2", Phase.DRAINING, ""));
        rows.add(new Row("leaderships left at the deadline: delete anyway, saying so", draining(2, T0, 1), allOld(),
                healthy(), T0.plusSeconds(120), "DeletePod 2", Phase.RESTARTING, "timed out after PT2M with 1 leadership"));
        rows.add(new Row("under-replication during a drain pauses it", draining(2, T0, 0), allOld(),
                health(0, 4, 0, Set.of(0, 1, 2), true), T0.plusSeconds(200), "Wait", Phase.DRAINING, "drain of broker 2 paused"));
        rows.add(new Row("a drained pod already replaced by someone: wait for it as our own", draining(2, T0, 1),
                pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, NEW, false)), healthy(), T0.plusSeconds(1), "Wait",
                Phase.RESTARTING, "not ready: [2]"));
        rows.add(new Row("deleted pod not yet replaced: wait", restarting(2, T0, List.of()),
                pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, OLD, false)), healthy(), T0.plusSeconds(10), "Wait",
                Phase.RESTARTING, "not yet replaced"));
        rows.add(new Row("a pod still old and ready long after its delete is deleted again", restarting(2, T0, List.of()),
                allOld(), healthy(), T0.plusSeconds(301), "DeletePod 2", Phase.RESTARTING, "deleting it again"));
        rows.add(new Row("replaced but not ready: wait", restarting(2, T0, List.of()),
                pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, NEW, false)), healthy(), T0.plusSeconds(20), "Wait",
                Phase.RESTARTING, "restarted, waiting"));
        rows.add(new Row("replaced and ready but its ISR not whole: the next broker waits", restarting(2, T0, List.of()),
                pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, NEW, true)), health(0, 2, 0, Set.of(0, 1, 2), true),
                T0.plusSeconds(20), "Wait", Phase.RESTARTING, "2 under-replicated"));
        rows.add(new Row("back, ready, ISR whole: the next broker drains", restarting(2, T0, List.of()),
                pods(pod(0, OLD, true), pod(1, OLD, true), pod(2, NEW, true)), healthy(), T0.plusSeconds(20), "Drain 1",
                Phase.DRAINING, ""));
        rows.add(new Row("the last broker back: done", restarting(0, T0, List.of(2, 1)),
                pods(pod(0, NEW, true), pod(1, NEW, true), pod(2, NEW, true)), healthy(), T0.plusSeconds(20), "Done",
                Phase.IDLE, ""));
        rows.add(new Row("the broker in flight was scaled away: start over", restarting(3, T0, List.of()), allOld(),
                healthy(), T0, "Drain 2", Phase.DRAINING, ""));
        return rows.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(Row row) {
        RollDecision decision = ROLL.decide(row.state(), row.input(), row.health(), row.now());
        assertEquals(row.expected(), describe(decision.action()), () -> row.name() + ": " + decision);
        assertEquals(row.phase(), decision.next().phase(), () -> row.name() + ": " + decision.next());
        String reason = decision.action() instanceof RollAction.Wait w ? w.reason()
                : decision.action() instanceof RollAction.DeletePod d ? d.reason() : "";
        assertTrue(reason.contains(row.words()), () -> row.name() + ": reason \"" + reason + "\" lacks \"" + row.words() + "\"");
        assertEquals(NEW, decision.next().targetRevision(), () -> row.name() + ": " + decision.next());
    }

    private static String describe(RollAction action) {
        if (action instanceof RollAction.Drain d) {
            return "Drain " + d.broker();
        }
        if (action instanceof RollAction.DeletePod d) {
            return "DeletePod " + d.broker();
        }
        return action.getClass().getSimpleName();
    }

    @Test
    void aWholeRollVisitsEveryBrokerOnceInOrder() {
        RollState state = RollState.IDLE;
        RollInput input = allOld();
        Instant now = T0;
        List<Integer> deleted = new ArrayList<>();
        for (int step = 0; step < 20; step++) {
            RollDecision decision = ROLL.decide(state, input, healthy(), now);
            state = decision.next();
            if (decision.action() instanceof RollAction.Done) {
                break;
            }
            if (decision.action() instanceof RollAction.Drain) {
                state = ROLL.drained(state, 0);
            }
            if (decision.action() instanceof RollAction.DeletePod d) {
                deleted.add(d.broker());
                List<PodState> pods = new ArrayList<>(input.pods());
                pods.set(d.broker(), pod(d.broker(), NEW, true)); // the new pod comes back ready
                input = new RollInput(NEW, 3, pods);
            }
            now = now.plusSeconds(1);
        }
        assertEquals(List.of(2, 1, 0), deleted);
        assertEquals(List.of(2, 1, 0), state.restarted());
        assertEquals(Phase.IDLE, state.phase());
    }

    @Test
    void aDrainDeadlineStartsAgainOnceTheClusterIsWholeAgain() {
        RollDecision paused = ROLL.decide(draining(2, T0, 2), allOld(), health(0, 1, 0, Set.of(0, 1, 2), true),
                T0.plusSeconds(500));
        assertEquals(T0.plusSeconds(500), paused.next().since());
        RollDecision resumed = ROLL.decide(paused.next(), allOld(), healthy(), T0.plusSeconds(510));
        assertInstanceOf(RollAction.Drain.class, resumed.action());
    }

    @Test
    void drainUnavailableRestartsAtOnce() {
        RollDecision decision = ROLL.drainUnavailable(draining(1, T0, null), "no drain endpoint", T0.plusSeconds(1));
        assertEquals("DeletePod 1", describe(decision.action()));
        assertEquals(Phase.RESTARTING, decision.next().phase());
        assertThrows(IllegalStateException.class, () -> ROLL.drainUnavailable(RollState.IDLE, "x", T0));
    }

    @Test
    void aNewTargetForgetsWhatTheLastRollRestarted() {
        RollState oldRoll = new RollState(Phase.IDLE, -1, "rev-0", null, null, List.of(2, 1, 0), null);
        RollDecision decision = ROLL.decide(oldRoll, allOld(), healthy(), T0);
        assertEquals(List.of(), decision.next().restarted());
        assertEquals(NEW, decision.next().targetRevision());
    }

    static Stream<Arguments> orders() {
        return Stream.of(
                Arguments.of(List.of(0, 1, 2), 0, List.of(2, 1, 0)),
                Arguments.of(List.of(0, 1, 2), 2, List.of(1, 0, 2)),
                Arguments.of(List.of(0, 1, 2, 3, 4), 1, List.of(4, 3, 2, 0, 1)),
                Arguments.of(List.of(3, 1), 2, List.of(3, 1)),
                Arguments.of(List.of(1, 0), -1, List.of(1, 0)),
                Arguments.of(List.of(), 0, List.of()));
    }

    @ParameterizedTest(name = "outdated {0}, controller {1}: {2}")
    @MethodSource("orders")
    void rollOrder(List<Integer> outdated, int controller, List<Integer> expected) {
        assertEquals(expected, RollingRestart.rollOrder(outdated, controller));
    }

    @Test
    void theStateSurvivesTheStatusMap() {
        RollState state = new RollState(Phase.DRAINING, 2, NEW, T0, 3, List.of(4, 3), "draining broker 2");
        Map<String, String> map = state.toMap();
        assertEquals(Map.of("phase", "Draining", "broker", "2", "targetRevision", NEW, "since", "2026-11-29T12:00:00Z",
                "leaderships", "3", "restarted", "4,3", "note", "draining broker 2"), map);
        assertEquals(state, RollState.fromMap(map));
        assertEquals(RollState.IDLE, RollState.fromMap(null));
        assertEquals(RollState.IDLE, RollState.fromMap(Map.of()));
        // Every key every time: the status is merge-patched, and a key left out would keep its old value.
        assertEquals(Map.of("phase", "Idle", "broker", "", "targetRevision", "", "since", "", "leaderships", "",
                "restarted", "", "note", ""), RollState.IDLE.toMap());
        assertEquals(RollState.IDLE, RollState.fromMap(RollState.IDLE.toMap()));
        RollState idleAfterRoll = new RollState(Phase.IDLE, -1, NEW, null, null, List.of(2, 1, 0), "done");
        assertEquals(idleAfterRoll, RollState.fromMap(idleAfterRoll.toMap()));
    }

    @Test
    void aGarbledStateReadsAsIdleKeepingTheTarget() {
        RollState read = RollState.fromMap(Map.of("phase", "Draining", "broker", "two", "targetRevision", NEW));
        assertEquals(Phase.IDLE, read.phase());
        assertEquals(NEW, read.targetRevision());
        assertTrue(read.note().contains("unreadable"), read::note);
        assertEquals(Phase.IDLE, RollState.fromMap(Map.of("phase", "Restarting", "broker", "1")).phase(), "no since");
        assertEquals(Phase.IDLE, RollState.fromMap(Map.of("phase", "Sleeping")).phase());
    }
}
