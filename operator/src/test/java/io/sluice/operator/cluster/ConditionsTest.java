package io.sluice.operator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant T1 = Instant.parse("2026-01-01T00:05:00Z");

    @Test
    void theTransitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> conditions = Conditions.set(List.of(), "Ready", "False", "BrokersNotReady", "1/3", 1L, T0);
        conditions = Conditions.set(conditions, "Ready", "False", "BrokersNotReady", "2/3", 1L, T1);
        Condition ready = Conditions.find(conditions, "Ready").orElseThrow();
        assertEquals("2026-01-01T00:00:00Z", ready.getLastTransitionTime());
        assertEquals("2/3", ready.getMessage());

        conditions = Conditions.set(conditions, "Ready", "True", "BrokersReady", "3/3", 1L, T1);
        assertEquals("2026-01-01T00:05:00Z", Conditions.find(conditions, "Ready").orElseThrow().getLastTransitionTime());
    }

    @Test
    void oneConditionPerTypeSortedByType() {
        List<Condition> conditions = Conditions.set(List.of(), "UnderReplicated", "Unknown", "BrokersUnreachable", "", 1L, T0);
        conditions = Conditions.set(conditions, "Ready", "False", "BrokersNotReady", "", 1L, T0);
        conditions = Conditions.set(conditions, "Ready", "False", "BrokersNotReady", "", 2L, T0);
        assertEquals(List.of("Ready", "UnderReplicated"), conditions.stream().map(Condition::getType).toList());
        assertEquals(2L, conditions.get(0).getObservedGeneration());
    }
}
