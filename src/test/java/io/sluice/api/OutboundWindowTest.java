package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.broker.MemoryBudget;
import org.junit.jupiter.api.Test;

/** One connection's share of the outbound budget: reserved, in flight, written, all returned at the end. */
class OutboundWindowTest {
    @Test
    void framesAreHeldUntilWrittenAndTheWindowCapsThem() {
        MemoryBudget budget = new MemoryBudget("test", 1_000_000);
        OutboundWindow window = new OutboundWindow(budget, 64 * 1024);
        assertEquals(32 * 1024, window.frameBytes());
        assertTrue(window.hasRoom());
        assertTrue(window.reserve(window.frameBytes()));
        int first = window.frameBytes() - 2_000;
        window.unreserve(2_000); // the frame came out smaller
        window.sent(first, 0);
        assertTrue(window.hasRoom(), "a second frame fits beside the first");
        assertTrue(window.reserve(window.frameBytes()));
        window.sent(window.frameBytes(), 10);
        assertFalse(window.hasRoom(), "two frames fill the window: the reader stops reading");
        assertEquals(window.reservedBytes(), budget.usedBytes());
        window.written(first, 20);
        assertTrue(window.hasRoom(), "the socket drained one: room again");
        assertEquals(32 * 1024, budget.usedBytes());
    }

    @Test
    void aWindowThatWritesNothingOutIsStalled() {
        OutboundWindow window = new OutboundWindow(new MemoryBudget("test", 1_000_000), 64 * 1024);
        assertFalse(window.stalled(1_000_000_000L, 1), "nothing in flight: never stalled");
        window.reserve(100);
        window.sent(100, 1_000);
        assertFalse(window.stalled(1_500, 1_000));
        assertTrue(window.stalled(2_000, 1_000));
        window.reserve(100);
        window.sent(100, 1_800);
        assertTrue(window.stalled(2_000, 1_000), "a newer frame is no progress: the oldest still waits");
        window.written(100, 1_900);
        assertFalse(window.stalled(2_000, 1_000), "a frame written out is progress");
    }

    @Test
    void releaseAllReturnsEverythingEvenWithFramesInFlight() {
        MemoryBudget budget = new MemoryBudget("test", 100_000);
        OutboundWindow window = new OutboundWindow(budget, 64 * 1024);
        window.reserve(20_000);
        window.sent(20_000, 0);
        window.reserve(10_000); // a frame being built
        assertEquals(30_000, budget.usedBytes());
        window.releaseAll();
        assertEquals(0, budget.usedBytes());
        window.written(20_000, 1); // the socket's late completion changes nothing
        window.releaseAll();
        assertEquals(0, budget.usedBytes());
        assertFalse(window.reserve(1), "a released window takes no more");
        assertEquals(0, budget.usedBytes());
    }

    @Test
    void aFullBudgetRefusesAndUnreservingMoreThanHeldIsABug() {
        MemoryBudget budget = new MemoryBudget("test", 50_000);
        OutboundWindow a = new OutboundWindow(budget, 64 * 1024);
        OutboundWindow b = new OutboundWindow(budget, 64 * 1024);
        assertTrue(a.reserve(40_000));
        assertFalse(b.reserve(32 * 1024), "the budget is shared");
        assertEquals(0, b.reservedBytes());
        assertThrows(IllegalStateException.class, () -> b.unreserve(1));
    }
}
