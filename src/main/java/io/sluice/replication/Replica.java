package io.sluice.replication;

import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.log.PartitionLog;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * This broker's replica of one partition: its local log and its current role. Role changes and
 * follower-side log changes (appends of fetched batches, truncations) run one after another on
 * {@link #chain}, so a batch fetched from an old leader can never land after the truncation that a
 * new leader asked for, nor after this replica took leadership.
 */
final class Replica {
    final TopicPartition partition;
    final IntSupplier minInsyncReplicas;
    private volatile PartitionLog log;
    /** The last cluster state applied to this replica. */
    volatile PartitionState state;
    /** Non-null while this broker leads the partition. */
    volatile LeaderState leader;
    /** The leader this replica fetches from, or -1. */
    volatile int followedLeader = -1;
    volatile int followedEpoch = -1;
    /**
     * The latest leader epoch in the log when this broker registered it (-1 for an empty log). The
     * log may have lost an unsynced tail at that epoch that followers still have, so this replica
     * leads only at a newer epoch: new batches at the old one would differ from theirs at the same
     * offsets.
     */
    final int epochAtStart;
    /** Where chained ops run: never the thread that completed the op before (a log writer, an event loop). */
    private final Executor opsExecutor;
    private CompletableFuture<Void> ops = CompletableFuture.completedFuture(null);
    /** Follower fetches parked on this partition until a leader append or a timeout. */
    final Queue<CompletableFuture<Void>> parkedFetches = new ConcurrentLinkedQueue<>();

    Replica(TopicPartition partition, PartitionLog log, IntSupplier minInsyncReplicas, Executor opsExecutor) {
        this.epochAtStart = log.epochs().latestEpoch();
        this.partition = partition;
        this.opsExecutor = opsExecutor;
        this.log = log;
        this.minInsyncReplicas = minInsyncReplicas;
    }

    PartitionLog log() {
        return log;
    }

    void replaceLog(PartitionLog newLog) {
        this.log = newLog;
    }

    /**
     * Runs {@code op} on the ops executor after every op chained before it, whatever their outcome.
     * Not on the thread that completed the previous op: that is the log's writer when the previous op
     * was an append or a truncation, and a role change blocks on the writer
     * ({@link PartitionLog#manageHighWatermark}); or a Vert.x event loop, which must not wait at all.
     */
    synchronized <T> CompletableFuture<T> chain(Supplier<CompletableFuture<T>> op) {
        CompletableFuture<T> result = ops.handle((v, e) -> null).thenComposeAsync(v -> {
            try {
                return op.get();
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }, opsExecutor);
        ops = result.handle((v, e) -> null);
        return result;
    }

    /** Wakes every follower fetch parked here: new data, or a change of role. */
    void wakeFetches() {
        CompletableFuture<Void> f;
        while ((f = parkedFetches.poll()) != null) {
            f.complete(null);
        }
    }
}
