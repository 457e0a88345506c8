package io.sluice.operator.roll;

import io.sluice.operator.brokers.BrokerAdmin;
import io.sluice.operator.brokers.BrokerAdminException;
import io.sluice.operator.brokers.BrokerProblemException;
import io.sluice.operator.brokers.ClusterInfo;
import io.sluice.operator.brokers.DrainResult;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs {@link RollingRestart} against a cluster: reads the brokers' health, asks for a drain, restarts
 * a pod through the {@link PodRestarter}, and hands back the state to keep. One call is one
 * reconciliation's worth: at most one drain request (bounded by
 * {@link RollSettings#drainWaitPerCall()}) and at most one pod restart, so it never blocks long.
 * Failures of the brokers' API are not thrown: the roll waits, and says why.
 */
public final class RollDriver {
    private static final System.Logger LOG = System.getLogger(RollDriver.class.getName());

    private final BrokerAdmin admin;
    private final PodRestarter restarter;
    private final RollSettings settings;
    private final RollingRestart roll;
    private final Clock clock;

    public RollDriver(BrokerAdmin admin, PodRestarter restarter, RollSettings settings, Clock clock) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.restarter = Objects.requireNonNull(restarter, "restarter");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.roll = new RollingRestart(settings);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** One step of the roll from {@code state} (read from {@code status.roll}) with the pods just observed. */
    public RollOutcome step(RollState state, RollInput input) {
        if (RollingRestart.outdated(input).isEmpty() && state.phase() == RollState.Phase.IDLE) {
            // Nothing to roll: no need to ask the brokers anything.
            RollDecision done = roll.decide(state, input, unknownHealth(), clock.instant());
            return outcome(done.action(), done.next(), null);
        }
        HealthRead health = health();
        if (health.health() == null) {
            return waiting(state, "the brokers' API does not answer (" + health.error() + ")");
        }
        RollDecision decision = roll.decide(state, input, health.health(), clock.instant());
        if (decision.action() instanceof RollAction.Drain drain) {
            RollState draining = decision.next();
            try {
                DrainResult result = admin.drain(drain.broker(), settings.drainWaitPerCall());
                draining = roll.drained(draining, result.leaderships());
            } catch (BrokerProblemException e) {
                if (e.isUnknownRoute() || "BROKER_NOT_FOUND".equals(e.code())) {
                    decision = roll.drainUnavailable(draining, e.isUnknownRoute()
                            ? "the brokers have no drain endpoint" : "broker " + drain.broker() + " is not registered",
                            clock.instant());
                    return restart(decision, draining);
                }
                return waiting(draining, "drain of broker " + drain.broker() + " refused: " + e.getMessage());
            } catch (BrokerAdminException e) {
                return waiting(draining, "drain of broker " + drain.broker() + " failed: " + e.getMessage());
            }
            // Gates again after the drain: a broker may have failed while leaderships moved.
            health = health();
            if (health.health() == null) {
                return waiting(draining, "the brokers' API does not answer (" + health.error() + ")");
            }
            decision = roll.decide(draining, input, health.health(), clock.instant());
            if (!(decision.action() instanceof RollAction.DeletePod)) {
                return outcome(decision.action(), decision.next(), null);
            }
            return restart(decision, draining);
        }
        if (decision.action() instanceof RollAction.DeletePod) {
            return restart(decision, state);
        }
        return outcome(decision.action(), decision.next(), null);
    }

    /** Restarts the pod {@code decision} names; if that fails, keeps {@code before} so the next call tries again. */
    private RollOutcome restart(RollDecision decision, RollState before) {
        RollAction.DeletePod delete = (RollAction.DeletePod) decision.action();
        LOG.log(Level.INFO, "rolling restart: restarting broker {0} ({1})", delete.broker(), delete.reason());
        try {
            restarter.restart(delete.broker());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "rolling restart: restarting broker " + delete.broker() + " failed", e);
            return waiting(before, "restarting broker " + delete.broker() + " failed: " + e);
        }
        return outcome(delete, decision.next(), "restarted broker " + delete.broker() + ": " + delete.reason());
    }

    private RollOutcome waiting(RollState state, String reason) {
        LOG.log(Level.DEBUG, "rolling restart waits: {0}", reason);
        return outcome(new RollAction.Wait(reason), state.withNote(reason), null);
    }

    private RollOutcome outcome(RollAction action, RollState next, String message) {
        String text = message != null ? message : describe(action, next);
        if (action instanceof RollAction.Drain) {
            LOG.log(Level.INFO, "rolling restart: {0}", text);
        }
        return new RollOutcome(action, next, text,
                action instanceof RollAction.Done ? Optional.empty() : Optional.of(settings.requeueAfter()));
    }

    private static String describe(RollAction action, RollState next) {
        if (action instanceof RollAction.Wait wait) {
            return wait.reason();
        }
        if (action instanceof RollAction.Drain drain) {
            return "draining broker " + drain.broker() + " before its restart ("
                    + (next.leaderships() == null ? "no answer yet" : next.leaderships() + " leadership(s) left") + ")";
        }
        if (action instanceof RollAction.DeletePod delete) {
            return "restarted broker " + delete.broker() + ": " + delete.reason();
        }
        return "every broker runs revision " + next.targetRevision();
    }

    /** The brokers' health, or why it could not be read. */
    private record HealthRead(ClusterHealth health, String error) {
    }

    private HealthRead health() {
        try {
            ClusterInfo cluster = admin.cluster();
            return new HealthRead(ClusterHealth.of(cluster, admin.replicationHealth(cluster)), null);
        } catch (BrokerAdminException e) {
            return new HealthRead(null, e.getMessage());
        }
    }

    private static ClusterHealth unknownHealth() {
        return new ClusterHealth(false, -1, Set.of(), 0, 0, List.of());
    }
}
