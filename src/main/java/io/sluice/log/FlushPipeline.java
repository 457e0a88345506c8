package io.sluice.log;

import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Pipelined group commit for one log: one fsync at a time runs on the flush pool while the writer
 * goes on writing, so one fsync covers every append that arrived during the previous one. When an
 * fsync ends, the point it covered is reported durable (the high watermark and {@code acks=all}
 * follow from there); when it fails, the log is told and goes offline.
 *
 * <p>Everything here runs on the log's writer thread except the fsync itself.
 */
final class FlushPipeline {
    private final Executor writer;
    private final Executor flushPool;
    private final Supplier<LogSegment> active;
    private final BooleanSupplier stopped;
    private final Consumer<RecoveryPoint> durable;
    private final Consumer<IOException> failed;
    private boolean inFlight;
    /** Bumped when the log is truncated: an fsync started before reports a point that may be gone. */
    private long generation;

    /**
     * @param active  the segment appends go to now
     * @param stopped whether the log closed (an fsync ending after that reports nothing)
     * @param durable told, on the writer, each point an fsync made durable
     * @param failed  told, on the writer, of an fsync that failed
     */
    FlushPipeline(Executor writer, Executor flushPool, Supplier<LogSegment> active, BooleanSupplier stopped,
            Consumer<RecoveryPoint> durable, Consumer<IOException> failed) {
        this.writer = writer;
        this.flushPool = flushPool;
        this.active = active;
        this.stopped = stopped;
        this.durable = durable;
        this.failed = failed;
    }

    /**
     * Starts an fsync of everything written so far, unless one is running: then the next one
     * starts when it ends.
     */
    void request() {
        if (inFlight) {
            return;
        }
        inFlight = true;
        LogSegment segment = active.get();
        RecoveryPoint target = segment.pointNow();
        long startedIn = generation;
        flushPool.execute(() -> {
            IOException error = null;
            try {
                segment.flush();
            } catch (IOException e) {
                error = e;
            }
            IOException fsyncError = error;
            writer.execute(() -> flushed(target, fsyncError, startedIn));
        });
    }

    /** The log was truncated: whatever the running fsync reports is stale. */
    void truncated() {
        generation++;
    }

    private void flushed(RecoveryPoint target, IOException error, long startedIn) {
        inFlight = false;
        if (stopped.getAsBoolean()) {
            return;
        }
        if (startedIn != generation) {
            // The fsync covered a file that truncation has cut or deleted since: report nothing of it,
            // and make what was appended after the truncation durable.
            if (active.get().size() > 0) {
                request();
            }
            return;
        }
        if (error != null) {
            // After a failed fsync the page cache can no longer be trusted (fsyncgate): the log goes offline.
            failed.accept(error);
            return;
        }
        durable.accept(target);
        if (active.get().nextOffset() > target.nextOffset()) {
            request();
        }
    }
}
