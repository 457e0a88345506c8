package io.sluice.operator.roll;

/**
 * Restarts one broker's pod so that it comes back on the StatefulSet's update revision. In
 * Kubernetes that is deleting pod {@code <cluster>-<ordinal>} (the StatefulSet's OnDelete strategy then
 * recreates it from the new template); in the process tests it is a SIGTERM and a new launch on the
 * same data dir. It should return once the restart is under way, not wait for the pod to be ready:
 * the roll watches readiness itself.
 */
@FunctionalInterface
public interface PodRestarter {
    void restart(int ordinal);
}
