package io.sluice.operator.cluster;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Status conditions kept the Kubernetes way: one per type, and {@code lastTransitionTime} moves
 * only when the status flips, so a condition tells since when it holds, not when it was written.
 */
public final class Conditions {
    public static final String TRUE = "True";
    public static final String FALSE = "False";
    public static final String UNKNOWN = "Unknown";

    private Conditions() {
    }

    /** {@code conditions} with the one of {@code type} set; the list given is not changed. */
    public static List<Condition> set(List<Condition> conditions, String type, String status, String reason,
                                      String message, Long observedGeneration, Instant now) {
        List<Condition> updated = new ArrayList<>();
        Optional<Condition> previous = Optional.empty();
        for (Condition condition : conditions == null ? List.<Condition>of() : conditions) {
            if (type.equals(condition.getType())) {
                previous = Optional.of(condition);
            } else {
                updated.add(condition);
            }
        }
        String transitionTime = previous
                .filter(p -> status.equals(p.getStatus()) && p.getLastTransitionTime() != null)
                .map(Condition::getLastTransitionTime)
                .orElse(now.truncatedTo(ChronoUnit.SECONDS).toString());
        updated.add(new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(observedGeneration)
                .withLastTransitionTime(transitionTime)
                .build());
        updated.sort(java.util.Comparator.comparing(Condition::getType));
        return updated;
    }

    public static Optional<Condition> find(List<Condition> conditions, String type) {
        return conditions == null ? Optional.empty()
                : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
    }
}
