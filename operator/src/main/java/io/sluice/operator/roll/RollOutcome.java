package io.sluice.operator.roll;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link RollDriver#step} did: the action taken (a pod deleted, a drain asked) or waited for,
 * the state to store in {@code status.roll}, a sentence for the Reconciling condition, and when to
 * call again (empty once the roll is done).
 */
public record RollOutcome(RollAction action, RollState next, String message, Optional<Duration> requeueAfter) {
    public RollOutcome {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(requeueAfter, "requeueAfter");
    }

    /** True while a roll is due or in flight: the cluster is Reconciling. */
    public boolean rolling() {
        return !(action instanceof RollAction.Done);
    }
}
