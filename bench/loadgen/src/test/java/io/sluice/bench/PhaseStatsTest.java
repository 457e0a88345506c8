package io.sluice.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PhaseStatsTest {

    @Test
    void budgetsPairTheirUseWithTheirCapacityAtThePeak() {
        PhaseStats stats = new PhaseStats("p", "load");
        assertEquals("n/a", stats.budgetCell());
        stats.recordBudget("sluice_outbound_budget_used_bytes", 10L << 20);
        stats.recordBudget("sluice_outbound_budget_used_bytes", 30L << 20);
        stats.recordBudget("sluice_outbound_budget_used_bytes", 20L << 20);
        stats.recordBudget("sluice_outbound_budget_capacity_bytes", 256L << 20);
        stats.recordBudget("sluice_outbound_budget_refusals", 7);
        stats.recordBudget("sluice_request_budget_used_bytes", 1L << 20);
        assertEquals("outbound 30/256, request 1/?", stats.budgetCell());
    }

    @Test
    void aRowHasACellForEveryColumn() {
        PhaseStats stats = new PhaseStats("idle", "5 connections");
        stats.recordHealth(2.0, "200");
        stats.recordHealth(12_000, "timeout");
        stats.recordProduce(5.0, "503");
        String row = stats.row();
        assertEquals(PhaseStats.header().lines().findFirst().orElseThrow().split("\\|").length,
                row.split("\\|").length, row);
        assertTrue(row.contains("2.0 / 12,000 / 12,000 (1 of 2 not 200: 200×1, timeout×1)"), row);
        assertTrue(row.contains("0 / 1 / ? (503×1)"), row);
        assertEquals(2.0, PhaseStats.percentile(List.of(3.0, 2.0, 1.0), 50));
    }
}
