package io.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A partition's remote view asked by offset ranges: replicas roll at different offsets, so
 * successive leaders' segments need not line up, and a deposed leader's late commit may repeat a
 * range the new leader uploaded.
 */
class RemoteLogRangesTest {
    private static final String ID = UUID.randomUUID().toString();
    private int uploads;

    private RemoteSegment segment(long base, long next, int epoch) {
        return new RemoteSegment(base, next, epoch, String.format("%016x", ++uploads), 0, next - base,
                1_000 + uploads);
    }

    @Test
    void aFollowersSegmentIsCoveredWhenEveryOffsetOfItIsRemoteWhereverTheLeaderRolled() {
        RemoteLog remote = RemoteLog.unloaded(ID, "t", 0);
        remote.load(List.of(segment(0, 100, 0), segment(100, 250, 0), segment(250, 300, 1)));
        assertTrue(remote.covers(40, 180), "spans two remote segments");
        assertTrue(remote.covers(0, 300));
        assertFalse(remote.covers(280, 301), "one offset past the remote end");
        assertFalse(remote.covers(100, 100 + 1_000));
        assertEquals(300, remote.endOffset());
        assertEquals(300, remote.contiguousEndOffset());
    }

    @Test
    void aHoleEndsTheContiguousRangeAndIsNotCovered() {
        RemoteLog remote = RemoteLog.unloaded(ID, "t", 0);
        remote.load(List.of(segment(0, 100, 0), segment(150, 200, 0)));
        assertFalse(remote.covers(90, 160));
        assertEquals(100, remote.contiguousEndOffset());
        assertEquals(200, remote.endOffset());
        assertNull(remote.segmentFor(120));
    }

    @Test
    void aLateCommitOfARangeTheNewLeaderHoldsIsShadowedAndTheHigherEpochServesReads() {
        RemoteLog remote = RemoteLog.unloaded(ID, "t", 0);
        RemoteSegment deposed = segment(100, 200, 1); // committed after the new leader listed
        RemoteSegment winner = segment(100, 200, 2);
        RemoteSegment overlapping = segment(90, 210, 1); // rolled elsewhere, fully inside the winners
        remote.load(List.of(segment(0, 100, 1), deposed, winner, overlapping, segment(200, 260, 2)));
        assertEquals(List.of(deposed), remote.shadowed().stream().filter(s -> s.equals(deposed)).toList());
        assertEquals(winner, remote.segmentFor(150));
        assertTrue(remote.covers(0, 260));
        assertEquals(260, remote.contiguousEndOffset());
    }

    @Test
    void aReadFindsTheOffsetInAnEarlierLongerSegmentWhenTheNearestStartEndsBeforeIt() {
        RemoteLog remote = RemoteLog.unloaded(ID, "t", 0);
        RemoteSegment longer = segment(100, 300, 1);
        RemoteSegment shorter = segment(150, 200, 2);
        remote.load(List.of(longer, shorter));
        assertEquals(longer, remote.segmentFor(250));
        assertEquals(shorter, remote.segmentFor(160));
        assertNull(remote.segmentFor(300));
        assertNull(remote.segmentFor(99));
    }

    @Test
    void aTakeOverReplacesTheViewByTheListingAndUploadsAtTheNewEpoch() {
        RemoteLog remote = RemoteLog.empty(ID, "t", 0);
        assertEquals(-1, remote.uploadEpoch(), "nobody uploads until it leads");
        remote.takeOver(List.of(segment(0, 50, 3)), 4);
        assertEquals(4, remote.uploadEpoch());
        assertTrue(remote.covers(0, 50));
        remote.stopUploading();
        assertEquals(-1, remote.uploadEpoch());
    }

    @Test
    void retentionOfAShadowedSegmentLeavesTheViewAlone() {
        RemoteLog remote = RemoteLog.unloaded(ID, "t", 0);
        RemoteSegment loser = segment(0, 100, 0);
        RemoteSegment winner = segment(0, 100, 1);
        remote.load(List.of(loser, winner));
        remote.removeByRetention(loser);
        assertTrue(remote.shadowed().isEmpty());
        assertTrue(remote.covers(0, 100));
        assertEquals(0, remote.deletedBelow());
    }
}
