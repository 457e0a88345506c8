package io.sluice.operator.roll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerPodsTest {
    private static Pod pod(String name, Map<String, String> labels, String ready, String deletionTimestamp) {
        PodBuilder builder = new PodBuilder().withNewMetadata().withName(name).withLabels(labels)
                .withDeletionTimestamp(deletionTimestamp).endMetadata();
        if (ready != null) {
            builder.withNewStatus().addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus();
        }
        return builder.build();
    }

    @Test
    void readsOrdinalRevisionAndReadiness() {
        List<Pod> pods = List.of(
                pod("demo-0", Map.of("controller-revision-hash", "demo-7f", "apps.kubernetes.io/pod-index", "0"), "True", null),
                pod("demo-1", Map.of("controller-revision-hash", "demo-6c"), "False", null),
                pod("demo-2", Map.of("controller-revision-hash", "demo-6c"), "True", "2026-11-29T12:00:00Z"),
                pod("demo-3", Map.of(), null, null),
                pod("other-0", Map.of("controller-revision-hash", "x"), "True", null),
                pod("demo-x", Map.of(), "True", null));
        assertEquals(List.of(new PodState(0, "demo-7f", true), new PodState(1, "demo-6c", false),
                new PodState(2, "demo-6c", false), new PodState(3, null, false)), BrokerPods.states("demo", pods));
    }
}
