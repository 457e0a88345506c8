package io.sluice.operator.roll;

import java.util.Objects;

/** One decision of {@link RollingRestart}: the action to take now and the state to keep for the next call. */
public record RollDecision(RollAction action, RollState next) {
    public RollDecision {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(next, "next");
    }
}
