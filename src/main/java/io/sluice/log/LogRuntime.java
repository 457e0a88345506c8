package io.sluice.log;

import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * What every partition log of a broker shares: the pool its single writers run on, the pool its
 * fsyncs run on (so a writer keeps writing during an fsync), the clock, whether an append is fsynced
 * before it is acknowledged and made visible, how files are opened ({@link StorageIo}), the bound on
 * open closed-segment files, and the recovery points.
 */
public record LogRuntime(Executor ioPool, Executor flushPool, LongSupplier clock, boolean fsync, StorageIo io,
        SegmentFileCache openFiles, RecoveryCheckpoints checkpoints) {

    /** A runtime on the real file system whose recovery points live in memory: for tests of one log. */
    public static LogRuntime inMemoryCheckpoints(Executor ioPool, Executor flushPool, LongSupplier clock,
            boolean fsync) {
        return new LogRuntime(ioPool, flushPool, clock, fsync, StorageIo.DEFAULT,
                new SegmentFileCache(StorageIo.DEFAULT, SegmentFileCache.DEFAULT_MAX_OPEN), RecoveryCheckpoints.inMemory());
    }
}
