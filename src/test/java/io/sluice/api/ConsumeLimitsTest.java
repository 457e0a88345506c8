package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Defaults derived from the budget, refused settings, and the reader slots. */
class ConsumeLimitsTest {
    @Test
    void readersDefaultToAsManyWindowsAsFitTheBudgetAtMostTenThousand() {
        assertEquals(32, new ConsumeLimits(2L << 20, 64 << 10, -1, 1_000).maxSessions());
        assertEquals(10_000, new ConsumeLimits(8L << 30, 128 << 10, -1, 1_000).maxSessions());
        assertEquals(5, new ConsumeLimits(2L << 20, 64 << 10, 5, 1_000).maxSessions());
        assertEquals((2 << 20) / 4, new ConsumeLimits(2L << 20, 64 << 10, -1, 1_000).maxFetchBytes());
    }

    @Test
    void theDefaultBudgetIsAQuarterOfTheHeapAtLeast16MiB() {
        long expected = Math.max(16L << 20, Runtime.getRuntime().maxMemory() / 4);
        assertTrue(ConsumeLimits.defaultBudgetBytes() <= expected);
        assertTrue(ConsumeLimits.defaultBudgetBytes() >= 16L << 20);
    }

    @Test
    void settingsThatCannotWorkAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ConsumeLimits(1 << 20, 100, -1, 1_000));
        assertThrows(IllegalArgumentException.class, () -> new ConsumeLimits(1 << 20, 2 << 20, -1, 1_000));
        assertThrows(IllegalArgumentException.class, () -> new ConsumeLimits(1 << 20, 64 << 10, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ConsumeLimits(0, 64 << 10, -1, 1_000));
    }

    @Test
    void slotsAreTakenUpToTheLimitAndGivenBack() {
        ConsumeLimits limits = new ConsumeLimits(1 << 20, 64 << 10, 2, 1_000);
        assertTrue(limits.tryOpenSession());
        assertTrue(limits.tryOpenSession());
        assertFalse(limits.tryOpenSession());
        limits.closeSession();
        assertTrue(limits.tryOpenSession());
    }
}
