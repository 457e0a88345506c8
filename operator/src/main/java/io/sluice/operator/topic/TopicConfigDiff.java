package io.sluice.operator.topic;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The PATCH that makes a topic's configuration overrides equal to a SluiceTopic's
 * {@code spec.config}: the resource owns the topic's overrides, so one set on the cluster by
 * other means and absent from the spec is removed (a null value in the patch).
 */
public final class TopicConfigDiff {

    private TopicConfigDiff() {
    }

    public static Map<String, String> changes(Map<String, String> current, Map<String, String> desired) {
        Map<String, String> wanted = desired == null ? Map.of() : desired;
        Map<String, String> changes = new HashMap<>();
        wanted.forEach((key, value) -> {
            if (!Objects.equals(current.get(key), value)) {
                changes.put(key, value);
            }
        });
        current.keySet().stream().filter(key -> !wanted.containsKey(key)).forEach(key -> changes.put(key, null));
        return changes;
    }
}
