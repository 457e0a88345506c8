package io.sluice.operator.cluster;

/**
 * Where moving partitions onto new brokers stands; see {@link ClusterOperations#scaleOut}.
 *
 * @param complete true when every broker holds its share (or there was nothing to move)
 * @param message  for the Reconciling condition while not complete
 */
public record ScaleOutProgress(boolean complete, String message) {

    public static ScaleOutProgress done() {
        return new ScaleOutProgress(true, "");
    }

    public static ScaleOutProgress moving(String message) {
        return new ScaleOutProgress(false, message);
    }
}
