package io.sluice.operator.cluster;

/**
 * Whether the StatefulSet may shrink now; see {@link ClusterOperations#checkScaleIn}.
 *
 * @param allowed  false while a broker that would go still holds replicas (or the brokers cannot say)
 * @param replicas the replica count to apply now: the spec's when allowed, the current one when not
 * @param message  why not, for the status conditions; empty when allowed
 */
public record ScaleInDecision(boolean allowed, int replicas, String message) {

    public static ScaleInDecision allow(int replicas) {
        return new ScaleInDecision(true, replicas, "");
    }

    public static ScaleInDecision refuse(int currentReplicas, String message) {
        return new ScaleInDecision(false, currentReplicas, message);
    }
}
