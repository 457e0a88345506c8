package io.sluice.operator.roll;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The rolling restart as a state machine, one broker at a time, deterministic and free of I/O: given
 * the state kept from the last call ({@link RollState}), the pods, the brokers' view of the cluster and
 * the time, it answers what to do now and the state to keep.
 *
 * <pre>
 *            all pods on target ─────────────────────────────► Done
 *  Idle ──── gates pass, next outdated broker b ─► Draining(b) ── leaderships == 0, or drain timeout ─► Restarting(b)
 *   ▲          (highest ordinal first, the controller last)       (gates fail: wait, deadline restarts)        │
 *   └──────────────── pod b on target revision, ready, every gate passes ◄──────────────────────────────────────┘
 * </pre>
 *
 * <p>The gates, checked before a drain starts, before a pod is deleted and before the next broker: the
 * broker that answered is in a majority; no partition is under-replicated (ISR smaller than its
 * replicas) or offline (no leader); every pod below the replica count is ready; every such broker is
 * alive in the cluster. So a broker is never stopped while another one's partitions lack an in-sync
 * copy, and the next one waits until the restarted broker has caught up and rejoined every ISR.
 *
 * <p>A lone broker (replicas 1) is restarted without a drain: there is nobody to hand leadership to.
 */
public final class RollingRestart {
    private final RollSettings settings;

    public RollingRestart(RollSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The next step from {@code state}, given what was observed at {@code now}. */
    public RollDecision decide(RollState state, RollInput input, ClusterHealth health, Instant now) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(now, "now");
        if (state.phase() != RollState.Phase.IDLE && state.broker() >= input.replicas()) {
            return decideIdle(state.idleFor(input.targetRevision(), "broker " + state.broker()
                    + " was scaled away during its restart"), input, health, now);
        }
        return switch (state.phase()) {
            case IDLE -> decideIdle(state, input, health, now);
            case DRAINING -> decideDraining(state, input, health, now);
            case RESTARTING -> decideRestarting(state, input, health, now);
        };
    }

    /** Records a drain answer: the broker still leads {@code leaderships} partitions. */
    public RollState drained(RollState state, int leaderships) {
        requirePhase(state, RollState.Phase.DRAINING);
        return state.withLeaderships(leaderships).withNote("broker " + state.broker() + " still leads "
                + leaderships + " partition(s)");
    }

    /**
     * The broker cannot be drained ({@code why}: the brokers have no drain endpoint, the broker is not
     * registered): restart it now without handing leadership over first; its partitions elect new
     * leaders when it stops.
     */
    public RollDecision drainUnavailable(RollState state, String why, Instant now) {
        requirePhase(state, RollState.Phase.DRAINING);
        String reason = "restarting broker " + state.broker() + " without a drain: " + why;
        return new RollDecision(new RollAction.DeletePod(state.broker(), reason), state.restarting(now, reason));
    }

    private RollDecision decideIdle(RollState state, RollInput input, ClusterHealth health, Instant now) {
        String target = input.targetRevision();
        RollState idle = state.phase() == RollState.Phase.IDLE && target.equals(state.targetRevision())
                ? state : state.idleFor(target, state.note());
        List<Integer> outdated = outdated(input);
        if (outdated.isEmpty()) {
            return new RollDecision(new RollAction.Done(), idle.withNote("every broker runs revision " + target));
        }
        List<Integer> order = rollOrder(outdated, health.controller());
        List<String> blockers = blockers(input, health);
        if (!blockers.isEmpty()) {
            String reason = order.size() + " broker(s) to restart (" + order + "), waiting: " + String.join("; ", blockers);
            return new RollDecision(new RollAction.Wait(reason), idle.withNote(reason));
        }
        int next = order.get(0);
        if (input.replicas() == 1) {
            String reason = "restarting broker " + next + ", the only broker: no other replica to hand leadership to";
            RollState draining = idle.draining(next, target, now, reason);
            return new RollDecision(new RollAction.DeletePod(next, reason), draining.restarting(now, reason));
        }
        String reason = "draining broker " + next + " before its restart (order " + order + ")";
        return new RollDecision(new RollAction.Drain(next), idle.draining(next, target, now, reason));
    }

    private RollDecision decideDraining(RollState state, RollInput input, ClusterHealth health, Instant now) {
        int broker = state.broker();
        PodState pod = input.podsByOrdinal().get(broker);
        if (input.updated(pod)) { // restarted by someone else meanwhile: wait for it as for our own
            return decideRestarting(state.restarting(now, "pod " + broker + " already on the target revision"),
                    input, health, now);
        }
        List<String> blockers = blockers(input, health);
        if (!blockers.isEmpty()) {
            // The drain deadline counts from when the cluster is whole again: a broker should not be
            // stopped with leaderships just because the wait for another problem ran the clock out.
            String reason = "drain of broker " + broker + " paused, waiting: " + String.join("; ", blockers);
            RollState paused = new RollState(RollState.Phase.DRAINING, broker, state.targetRevision(), now,
                    state.leaderships(), state.restarted(), reason);
            return new RollDecision(new RollAction.Wait(reason), paused);
        }
        if (state.leaderships() != null && state.leaderships() == 0) {
            String reason = "broker " + broker + " leads no partition";
            return new RollDecision(new RollAction.DeletePod(broker, reason), state.restarting(now, reason));
        }
        Duration draining = Duration.between(state.since(), now);
        if (draining.compareTo(settings.drainTimeout()) >= 0) {
            String reason = "drain of broker " + broker + " timed out after " + draining + " with "
                    + (state.leaderships() == null ? "no answer" : state.leaderships() + " leadership(s) left")
                    + " (partitions with no other in-sync replica); restarting it anyway";
            return new RollDecision(new RollAction.DeletePod(broker, reason), state.restarting(now, reason));
        }
        return new RollDecision(new RollAction.Drain(broker), state);
    }

    private RollDecision decideRestarting(RollState state, RollInput input, ClusterHealth health, Instant now) {
        int broker = state.broker();
        PodState pod = input.podsByOrdinal().get(broker);
        if (!input.updated(pod)) {
            Duration waited = Duration.between(state.since(), now);
            if (pod.ready() && waited.compareTo(settings.redeleteAfter()) >= 0) {
                String reason = "pod " + broker + " still runs revision " + pod.revision() + " " + waited
                        + " after its deletion; deleting it again";
                return new RollDecision(new RollAction.DeletePod(broker, reason), state.restarting(now, reason));
            }
            String reason = "broker " + broker + " restarting: its pod is not yet replaced by revision "
                    + input.targetRevision();
            return new RollDecision(new RollAction.Wait(reason), state.withNote(reason));
        }
        List<String> blockers = blockers(input, health);
        if (!blockers.isEmpty()) {
            String reason = "broker " + broker + " restarted, waiting: " + String.join("; ", blockers);
            return new RollDecision(new RollAction.Wait(reason), state.withNote(reason));
        }
        return decideIdle(state.finished("broker " + broker + " is back, ready, every ISR whole"), input, health, now);
    }

    /** Ordinals below the replica count whose pod does not run the target revision, ascending. */
    static List<Integer> outdated(RollInput input) {
        return input.podsByOrdinal().values().stream().filter(p -> !input.updated(p)).map(PodState::ordinal)
                .sorted().toList();
    }

    /**
     * The order to restart {@code outdated} brokers in: highest ordinal first (the brokers a scale-in
     * would remove, and the newest), the controller's broker last, so its controller moves only once.
     */
    public static List<Integer> rollOrder(Collection<Integer> outdated, int controller) {
        List<Integer> order = new ArrayList<>(outdated);
        order.sort(Comparator.<Integer>naturalOrder().reversed());
        if (order.remove(Integer.valueOf(controller))) {
            order.add(controller);
        }
        return order;
    }

    /** Why a broker may not be stopped now; empty when it may. */
    public static List<String> blockers(RollInput input, ClusterHealth health) {
        List<String> reasons = new ArrayList<>();
        if (!health.quorum()) {
            reasons.add("the broker that answered is not in a majority of the cluster");
        }
        if (health.underReplicatedPartitions() > 0) {
            reasons.add(health.underReplicatedPartitions() + " under-replicated partition(s)"
                    + (health.examples().isEmpty() ? "" : " " + health.examples()));
        }
        if (health.offlinePartitions() > 0) {
            reasons.add(health.offlinePartitions() + " offline partition(s)");
        }
        Map<Integer, PodState> pods = input.podsByOrdinal();
        List<Integer> notReady = pods.values().stream().filter(p -> !p.ready()).map(PodState::ordinal).toList();
        if (!notReady.isEmpty()) {
            reasons.add("pod(s) not ready: " + notReady);
        }
        List<Integer> notAlive = pods.keySet().stream().filter(id -> !health.aliveBrokers().contains(id)).toList();
        if (!notAlive.isEmpty()) {
            reasons.add("broker(s) not alive in the cluster: " + notAlive.stream().map(String::valueOf)
                    .collect(Collectors.joining(", ")));
        }
        return reasons;
    }

    private static void requirePhase(RollState state, RollState.Phase phase) {
        if (state.phase() != phase) {
            throw new IllegalStateException("expected phase " + phase + ", was " + state);
        }
    }
}
