package io.sluice.operator.roll;

/** What the roll does next; see {@link RollingRestart}. */
public sealed interface RollAction {
    /** Every broker below the replica count runs the target revision. */
    record Done() implements RollAction {
    }

    /** A restart is due (or in flight) but may not go on yet; {@code reason} says what it waits for. */
    record Wait(String reason) implements RollAction {
    }

    /** Ask broker {@code broker} to hand its leaderships to other in-sync replicas (repeat until it leads none). */
    record Drain(int broker) implements RollAction {
    }

    /** Restart broker {@code broker}'s pod now; {@code reason} says why now (drained, drain timed out, ...). */
    record DeletePod(int broker, String reason) implements RollAction {
    }
}
