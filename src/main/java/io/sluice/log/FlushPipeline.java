package io.sluice.log;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Pipelined group commit for one log: appends written but not yet fsynced wait here, and one fsync
 * at a time runs on the flush pool while the writer goes on writing, so one fsync covers every
 * append that arrived during the previous one. When an fsync ends, what it covered is acknowledged
 * ({@code acks=all}) and reported durable; when it fails, everything waiting fails with it.
 *
 * <p>Everything here runs on the log's writer thread except the fsync itself.
 */
final class FlushPipeline {
    /** An append written but not yet fsynced. */
    private record AwaitingFlush(PartitionLog.AppendInfo info, CompletableFuture<PartitionLog.AppendInfo> result) {
    }

    private final Executor writer;
    private final Executor flushPool;
    private final Supplier<LogSegment> active;
    private final BooleanSupplier stopped;
    private final Consumer<RecoveryPoint> durable;
    private final Consumer<IOException> failed;
    /** In offset order. */
    private final ArrayDeque<AwaitingFlush> awaiting = new ArrayDeque<>();
    private boolean inFlight;

    /**
     * @param active  the segment appends go to now
     * @param stopped whether the log closed (an fsync ending after that reports nothing)
     * @param durable told, on the writer, each point an fsync made durable
     * @param failed  told, on the writer, of an fsync that failed; fails the waiting appends ({@link #failAll})
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

    /** Holds {@code result} until an fsync covers {@code info}. */
    void await(PartitionLog.AppendInfo info, CompletableFuture<PartitionLog.AppendInfo> result) {
        awaiting.add(new AwaitingFlush(info, result));
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
        flushPool.execute(() -> {
            IOException error = null;
            try {
                segment.flush();
            } catch (IOException e) {
                error = e;
            }
            IOException fsyncError = error;
            writer.execute(() -> flushed(target, fsyncError));
        });
    }

    private void flushed(RecoveryPoint target, IOException error) {
        inFlight = false;
        if (stopped.getAsBoolean()) {
            return;
        }
        if (error != null) {
            // After a failed fsync the page cache can no longer be trusted (fsyncgate): the log goes offline.
            failed.accept(error);
            return;
        }
        durable.accept(target);
        completeBelow(target.nextOffset());
        if (active.get().nextOffset() > target.nextOffset()) {
            request();
        }
    }

    /** Acknowledges every waiting append below {@code offset}. */
    void completeBelow(long offset) {
        while (!awaiting.isEmpty() && awaiting.peek().info().lastOffset() < offset) {
            AwaitingFlush a = awaiting.poll();
            a.result().complete(a.info());
        }
    }

    void failAll(Throwable error) {
        for (AwaitingFlush a; (a = awaiting.poll()) != null; ) {
            a.result().completeExceptionally(error);
        }
    }
}
