package io.sluice.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LeaderStateTest {
    private static final long LAG_MS = 10_000;

    private static LeaderState leader(List<Integer> isr, int minIsr) {
        return new LeaderState(1, 5, 100, List.of(1, 2, 3), isr, minIsr, LAG_MS, 0);
    }

    @Test
    void highWatermarkIsTheSmallestDurablePositionInTheIsr() {
        LeaderState s = leader(List.of(1, 2, 3), 2);
        assertEquals(100, s.highWatermark(150, 100), "followers that never fetched hold it where it is");
        s.onFetch(2, 150, 140, 150, 1);
        s.onFetch(3, 150, 120, 150, 1);
        assertEquals(120, s.highWatermark(150, 100));
        s.onPosition(3, 150);
        assertEquals(140, s.highWatermark(150, 100));
        assertEquals(130, s.highWatermark(130, 100), "the leader's own fsync bounds it too");
    }

    @Test
    void aPositionIsNeverAboveWhatTheFollowerFetched() {
        LeaderState s = leader(List.of(1, 2), 1);
        s.onFetch(2, 110, 110, 150, 1);
        s.onPosition(2, 999);
        assertEquals(110, s.highWatermark(150, 100));
    }

    @Test
    void highWatermarkNeverGoesBackwards() {
        LeaderState s = leader(List.of(1, 2), 1);
        s.onFetch(2, 90, 90, 150, 1);
        assertEquals(120, s.highWatermark(150, 120));
    }

    @Test
    void strictMinIsrFreezesTheHighWatermark() {
        LeaderState s = leader(List.of(1), 2);
        s.onFetch(2, 150, 150, 150, 1);
        assertFalse(s.enoughInSync());
        assertEquals(100, s.highWatermark(150, 100), "an ISR of one with min.insync.replicas=2 acknowledges nothing");
    }

    @Test
    void aFollowerThatStopsCatchingUpLeavesTheIsrAfterTheLagTime() {
        LeaderState s = leader(List.of(1, 2, 3), 2);
        s.onFetch(2, 150, 150, 150, 1_000);
        s.onFetch(3, 150, 150, 150, 1_000);
        assertNull(s.isrChange(150, 5_000));
        s.onFetch(2, 160, 160, 160, 9_000);
        assertEquals(List.of(1, 2), s.isrChange(150, 1_000 + LAG_MS + 1), "3 fetched last at 1 s");
        assertNull(s.isrChange(150, 1_000 + LAG_MS + 2), "the same proposal is not made twice");
        s.proposalFailed();
        assertEquals(List.of(1, 2), s.isrChange(150, 1_000 + LAG_MS + 3));
    }

    @Test
    void aProposalTheMetadataRefusedIsNotMadeAgainBeforeItsRetryTime() {
        LeaderState s = leader(List.of(1, 2, 3), 2);
        s.onFetch(2, 150, 150, 150, 1_000);
        s.onFetch(3, 150, 150, 150, 1_000);
        s.onFetch(2, 160, 160, 160, 9_000);
        long now = 1_000 + LAG_MS + 1;
        assertEquals(List.of(1, 2), s.isrChange(150, now));
        s.proposalRefused(now + 250);
        for (long t = now; t < now + 250; t += 10) {
            assertNull(s.isrChange(150, t), "every fetch before the retry time would write again: " + t);
        }
        assertEquals(List.of(1, 2), s.isrChange(150, now + 250));
    }

    @Test
    void aFollowerBehindButKeepingUpWithTheLastFetchStaysInSync() {
        LeaderState s = leader(List.of(1, 2), 1);
        s.onFetch(2, 100, 100, 120, 1_000);
        s.onFetch(2, 120, 120, 140, 8_000);
        s.onFetch(2, 140, 140, 160, 10_500); // reached where the leader was at its previous fetch, at 8 s
        assertNull(s.isrChange(100, 8_000 + LAG_MS - 1));
        assertEquals(List.of(1), s.isrChange(100, 8_000 + LAG_MS + 1));
    }

    @Test
    void aFollowerJoinsOnceItsDurablePositionReachesTheHighWatermarkInThisEpoch() {
        LeaderState s = leader(List.of(1), 1);
        s.onFetch(2, 90, 90, 200, 1);
        assertNull(s.isrChange(150, 2), "below this epoch's start: not truncated to this leader yet");
        s.onFetch(2, 160, 140, 200, 3);
        assertNull(s.isrChange(150, 4), "fetched past the high watermark but not fsynced there");
        s.onPosition(2, 150);
        assertEquals(List.of(1, 2), s.isrChange(150, 5));
        s.updateMembership(List.of(1, 2, 3), List.of(1, 2), 6);
        assertTrue(s.enoughInSync());
        assertEquals(List.of(1, 2), s.isr());
    }

    @Test
    void strangersAreIgnored() {
        LeaderState s = leader(List.of(1, 2, 3), 2);
        assertFalse(s.onFetch(9, 150, 150, 150, 1));
    }

    @Test
    void aFollowerTakenOutOfTheIsrComesBackOnlyAfterItFetchesAgain() {
        LeaderState s = leader(List.of(1, 2, 3), 2);
        s.onFetch(2, 150, 150, 150, 1_000);
        s.onFetch(3, 150, 150, 150, 1_000);
        // Broker 3 froze, caught up; the controller saw it leave the view and shrank the ISR.
        s.updateMembership(List.of(1, 2, 3), List.of(1, 2), 2_000);
        assertNull(s.isrChange(150, 2_001), "a follower not heard from since it left the ISR is not re-added");
        s.onFetch(3, 150, 150, 150, 3_000);
        assertEquals(List.of(1, 2, 3), s.isrChange(150, 3_001), "once it fetches again, caught up, it is back");
    }
}
