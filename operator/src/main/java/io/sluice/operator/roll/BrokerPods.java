package io.sluice.operator.roll;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The broker pods of a StatefulSet as the roll sees them ({@link PodState}): the ordinal from the
 * {@code apps.kubernetes.io/pod-index} label (or the {@code <cluster>-<n>} name), the revision from
 * {@code controller-revision-hash}, and readiness from the Ready condition, except that a pod being
 * deleted is never ready: right after the roll deletes a pod its Ready condition may still say True.
 */
public final class BrokerPods {
    public static final String REVISION_LABEL = "controller-revision-hash";
    public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

    private BrokerPods() {
    }

    /** Every pod of {@code clusterName}'s StatefulSet among {@code pods}; others are skipped. */
    public static List<PodState> states(String clusterName, List<Pod> pods) {
        List<PodState> states = new ArrayList<>();
        for (Pod pod : pods) {
            Integer ordinal = ordinal(clusterName, pod);
            if (ordinal == null) {
                continue;
            }
            Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            states.add(new PodState(ordinal, labels.get(REVISION_LABEL), ready(pod)));
        }
        return states;
    }

    static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null
                && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static Integer ordinal(String clusterName, Pod pod) {
        if (pod.getMetadata() == null) {
            return null;
        }
        Map<String, String> labels = pod.getMetadata().getLabels();
        String index = labels == null ? null : labels.get(POD_INDEX_LABEL);
        String name = pod.getMetadata().getName();
        if (index == null && name != null && name.startsWith(clusterName + "-")) {
            index = name.substring(clusterName.length() + 1);
        }
        try {
            int ordinal = index == null ? -1 : Integer.parseInt(index);
            return ordinal >= 0 ? ordinal : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
