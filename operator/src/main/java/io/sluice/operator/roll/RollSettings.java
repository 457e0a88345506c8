package io.sluice.operator.roll;

import java.time.Duration;
import java.util.Objects;

/**
 * The roll's time bounds.
 *
 * @param drainTimeout     how long a broker may keep leaderships after the first drain request before
 *                         its pod is deleted anyway (the partitions it still leads have no other in-sync
 *                         replica, so waiting longer would not help them)
 * @param drainWaitPerCall how long one drain request lets the broker wait for its leaderships to move;
 *                         short, so one reconciliation never blocks long
 * @param redeleteAfter    a pod still on the old revision this long after its deletion is deleted again
 *                         (the delete was lost, or the pod was stuck terminating and came back)
 * @param requeueAfter     how soon the reconciler should call again while a roll is in flight
 */
public record RollSettings(Duration drainTimeout, Duration drainWaitPerCall, Duration redeleteAfter,
        Duration requeueAfter) {
    public RollSettings {
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(drainWaitPerCall, "drainWaitPerCall");
        Objects.requireNonNull(redeleteAfter, "redeleteAfter");
        Objects.requireNonNull(requeueAfter, "requeueAfter");
    }

    /** 2 min to drain (the broker's own bound), 10 s per request, a lost delete retried after 5 min, re-check every 5 s. */
    public static RollSettings defaults() {
        return new RollSettings(Duration.ofMinutes(2), Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofSeconds(5));
    }
}
