package io.sluice.log;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;

/**
 * What every partition log of a broker shares: the pool its single writers run on, the pool its
 * fsyncs run on (so a writer keeps writing during an fsync), a scheduler for delayed file
 * deletion, the clock, and whether an append is fsynced before it is acknowledged and made visible.
 */
public record LogRuntime(Executor ioPool, Executor flushPool, ScheduledExecutorService scheduler, LongSupplier clock,
        boolean fsync) {
}
