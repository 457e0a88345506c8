package io.sluice.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
    @Test
    void refusesWhatDoesNotFitAndCountsIt() {
        MemoryBudget budget = new MemoryBudget("test", 100);
        assertTrue(budget.tryReserve(60));
        assertFalse(budget.tryReserve(41));
        assertTrue(budget.tryReserve(40));
        assertEquals(100, budget.usedBytes());
        assertEquals(1, budget.refusals());
        budget.release(100);
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void releasingMoreThanReservedIsABug() {
        MemoryBudget budget = new MemoryBudget("test", 100);
        budget.tryReserve(10);
        assertThrows(IllegalStateException.class, () -> budget.release(11));
    }

    @Test
    void concurrentReservationsNeverExceedTheCapacity() throws Exception {
        MemoryBudget budget = new MemoryBudget("test", 1_000);
        AtomicLong peak = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.execute(() -> {
                for (int i = 0; i < 100_000; i++) {
                    if (budget.tryReserve(7)) {
                        peak.accumulateAndGet(budget.usedBytes(), Math::max);
                        budget.release(7);
                    }
                }
            });
        }
        pool.shutdown();
        assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        assertTrue(peak.get() <= 1_000, "peak " + peak.get());
        assertEquals(0, budget.usedBytes());
    }
}
