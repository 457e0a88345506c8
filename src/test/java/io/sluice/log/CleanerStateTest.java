package io.sluice.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner's checkpoint: it survives a reopen, a truncation below it cancels a pass begun before,
 * tombstone horizons follow the clock, and a damaged file errs towards more work and longer tombstones.
 */
class CleanerStateTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsAndTombstoneHorizonsFollowTheFirstCleaning() throws IOException {
        CleanerState state = CleanerState.load(StorageIo.DEFAULT, dir);
        assertEquals(0, state.firstDirty());
        state.cleaned(state.generation(), 100, -1, 1_000);
        state.cleaned(state.generation(), 250, -1, 5_000);
        CleanerState reopened = CleanerState.load(StorageIo.DEFAULT, dir);
        assertEquals(250, reopened.firstDirty());
        assertEquals(-1, reopened.tombstonesRemovableBelow(1_999, 1_000), "not yet");
        assertEquals(100, reopened.tombstonesRemovableBelow(2_000, 1_000), "the first range came of age");
        assertEquals(250, reopened.tombstonesRemovableBelow(6_000, 1_000));
        assertTrue(reopened.tombstonesDue(6_000, 1_000));
        reopened.cleaned(reopened.generation(), 250, 250, 6_000);
        assertFalse(reopened.tombstonesDue(6_000, 1_000), "applied");
    }

    @Test
    void aTruncationBelowTheFirstDirtyOffsetCancelsAPassBegunBeforeIt() throws IOException {
        CleanerState state = CleanerState.load(StorageIo.DEFAULT, dir);
        state.cleaned(state.generation(), 300, -1, 1_000);
        long before = state.generation();
        state.truncated(120);
        assertEquals(120, state.firstDirty());
        state.cleaned(before, 500, -1, 2_000);
        assertEquals(120, state.firstDirty(), "the pass saw segments the truncation removed");
        assertEquals(120, state.tombstonesRemovableBelow(10_000, 1_000), "below the cut, cleaned when it said");
        assertEquals(120, CleanerState.load(StorageIo.DEFAULT, dir).firstDirty(), "written at once");
    }

    @Test
    void aDamagedFileCountsTheLogAsDirtyFromItsStart() throws IOException {
        CleanerState state = CleanerState.load(StorageIo.DEFAULT, dir);
        state.cleaned(state.generation(), 300, -1, 1_000);
        Path file = dir.resolve(CleanerState.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        bytes[CleanerState.FIRST_DIRTY_OFFSET + 7] ^= 1;
        Files.write(file, bytes);
        CleanerState damaged = CleanerState.load(StorageIo.DEFAULT, dir);
        assertEquals(0, damaged.firstDirty());
        assertEquals(-1, damaged.tombstonesRemovableBelow(Long.MAX_VALUE, 0), "no tombstone counts as cleaned");
    }
}
