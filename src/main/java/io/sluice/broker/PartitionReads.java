package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Cancellable;
import io.sluice.log.PartitionLog;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.log.LogRecord;
import io.sluice.replication.Messages.HeapRecords;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The api's one way into partitions, behind {@link Broker}: reads, long polls, waits for data and
 * partition state. Everything is addressed by topic name and partition number and answered with
 * values ({@link FetchResult}, {@link PartitionInfo}) and futures, never with a log: where the
 * partition is led stays in here, so serving a partition led by another broker means forwarding
 * from this class and nothing above it changes.
 *
 * <p>Futures complete on the fetch pool, never on a partition's writer or the scheduler thread: a
 * caller's continuation must not delay the next group commit or the timers of other readers.
 */
final class PartitionReads {
    private final Topics topics;
    private final ExecutorService fetchPool;
    private final ScheduledExecutorService scheduler;
    private volatile PartitionRouter router;

    PartitionReads(Topics topics, ExecutorService fetchPool, ScheduledExecutorService scheduler) {
        this.topics = topics;
        this.fetchPool = fetchPool;
        this.scheduler = scheduler;
    }

    /** Set once the cluster side of the broker is up; reads before it are served locally. */
    void routeThrough(PartitionRouter partitionRouter) {
        this.router = partitionRouter;
    }

    // ---- partition state --------------------------------------------------------------------------

    List<PartitionInfo> infos(String topic) {
        Topic t = topics.get(topic);
        List<PartitionInfo> infos = new ArrayList<>();
        for (int p = 0; p < t.partitionCount(); p++) {
            infos.add(info(t, p));
        }
        return infos;
    }

    PartitionInfo info(String topic, int partition) {
        Topic t = topics.get(topic);
        t.checkExists(partition);
        return info(t, partition);
    }

    /**
     * Leader, epoch, replicas and ISR as the cluster records them; offsets and sizes from this
     * broker's replica (the leader's when it leads here, a follower's copy else), or -1 when it
     * holds none.
     */
    private PartitionInfo info(Topic t, int partition) {
        PartitionState state = router == null ? null
                : router.state(new TopicPartition(t.name(), partition)).orElse(null);
        int leader = state == null ? PartitionState.NO_LEADER : state.leader();
        int epoch = state == null ? -1 : state.leaderEpoch();
        List<Integer> replicas = state == null ? List.of() : state.replicas();
        List<Integer> isr = state == null ? List.of() : state.isr();
        if (!t.holds(partition)) {
            return new PartitionInfo(t.name(), partition, leader, epoch, replicas, isr, -1, -1, -1, -1, 0, 0, 0,
                    true, 0, 0);
        }
        Partition p = t.partition(partition);
        PartitionLog log = p.log();
        return new PartitionInfo(p.topic(), p.id(), leader, epoch, replicas, isr, p.logStartOffset(),
                p.localLogStartOffset(), p.highWatermark(), p.logEndOffset(), log.segmentCount(), log.sizeInBytes(),
                p.tieredBytes(), p.tierAvailable(), log.waitingReaders(),
                router == null ? 0 : router.maxFollowerLag(new TopicPartition(t.name(), partition)));
    }

    /** Whether reads of the partition are served here: this broker leads it (or runs alone). */
    private boolean servedHere(Topic t, int partition) {
        PartitionRouter r = router;
        return t.holds(partition) && (r == null || r.leadsLocally(new TopicPartition(t.name(), partition)));
    }

    // ---- reads and waits ----------------------------------------------------------------------------

    /** See {@link Broker#fetch(String, int, long, int, int, long, Executor)}. */
    CompletableFuture<FetchResult> fetch(String topic, int partition, long offset, int maxRecords, int maxBytes,
            long timeoutMs, Executor readOn) {
        CompletableFuture<FetchResult> result = new CompletableFuture<>();
        try {
            Topic t = topics.get(topic);
            t.checkExists(partition);
            if (!servedHere(t, partition)) {
                return forwardedFetch(new TopicPartition(topic, partition), offset, maxRecords, maxBytes, timeoutMs);
            }
            Partition p = t.partition(partition);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
            readOn.execute(() -> readOrWait(p, offset, maxRecords, maxBytes, deadline, result));
        } catch (SluiceException | RejectedExecutionException e) {
            result.completeExceptionally(refusal(e));
        }
        return result;
    }

    private void readOrWait(Partition partition, long offset, int maxRecords, int maxBytes, long deadline,
            CompletableFuture<FetchResult> result) {
        partition.read(offset, maxBytes, maxRecords).whenComplete((read, error) -> {
            if (error != null) {
                result.completeExceptionally(SluiceException.causeOf(error));
                return;
            }
            long remaining = deadline - System.nanoTime();
            // Below the high watermark there is data: a read that found none there is answered as it is,
            // never waited on, since a wait for "data at offset" fires at once and would spin.
            if (!read.records().isEmpty() || offset < read.highWatermark() || remaining <= 0
                    || !partition.log().isOnline()) {
                result.complete(FetchResult.of(read));
                return;
            }
            awaitData(partition, offset, remaining).whenComplete((v, waitError) -> {
                if (waitError != null) {
                    result.completeExceptionally(SluiceException.causeOf(waitError));
                } else {
                    readOrWait(partition, offset, maxRecords, maxBytes, deadline, result);
                }
            });
        });
    }

    /** A read forwarded by another broker: served only when this broker leads the partition. */
    CompletableFuture<FetchResult> fetchLocal(TopicPartition tp, long offset, int maxRecords, int maxBytes,
            long timeoutMs) {
        try {
            Topic t = topics.get(tp.topic());
            t.checkExists(tp.partition());
            if (!servedHere(t, tp.partition())) {
                throw new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, tp + " is not led by this broker");
            }
            return fetch(tp.topic(), tp.partition(), offset, maxRecords, maxBytes, timeoutMs, fetchPool);
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletableFuture<FetchResult> forwardedFetch(TopicPartition tp, long offset, int maxRecords,
            int maxBytes, long timeoutMs) {
        PartitionRouter r = router;
        if (r == null) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE,
                    tp + " is not served yet: the broker is starting"));
        }
        return r.readRemote(tp, offset, maxBytes, maxRecords, timeoutMs).thenApplyAsync(reply -> {
            List<LogRecord> records = ForwardedRecords.decode(((HeapRecords) reply.records()).bytes());
            return new FetchResult(records, reply.nextOffset(), reply.highWatermark(), reply.logStartOffset());
        }, fetchPool);
    }

    /** See {@link Broker#awaitData}. */
    CompletableFuture<Void> awaitData(String topic, int partition, long offset, long timeoutMs) {
        try {
            Topic t = topics.get(topic);
            t.checkExists(partition);
            if (!servedHere(t, partition)) {
                // The leader is elsewhere: its long poll is the wait (one record, read again by the caller).
                return forwardedFetch(new TopicPartition(topic, partition), offset, 1, 1, timeoutMs)
                        .thenApply(r -> null);
            }
            Partition p = t.partition(partition);
            return awaitData(p, offset, TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs)));
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes when data at or after {@code offset} is visible or {@code timeoutNanos} have passed,
     * whichever is first; fails at once when the log is offline, since a closed log fires every
     * wait at once and a caller that waited again would spin. Completing the future (cancelling
     * it) removes the wait from the log and its timer from the scheduler.
     */
    private CompletableFuture<Void> awaitData(Partition partition, long offset, long timeoutNanos) {
        PartitionLog log = partition.log();
        if (!log.isOnline()) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.STORAGE_ERROR,
                    "partition " + partition.topic() + "-" + partition.id() + " is offline"));
        }
        if (log.highWatermark() > offset) {
            // Already there: no waiter. One the log fires at registration stays queued until its next append.
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        Cancellable wait = log.awaitData(offset, () -> completeOnFetchPool(result));
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(() -> completeOnFetchPool(result), timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            wait.cancel();
            result.completeExceptionally(refusal(e));
            return result;
        }
        result.whenComplete((v, e) -> {
            wait.cancel();
            timer.cancel(false);
        });
        return result;
    }

    private void completeOnFetchPool(CompletableFuture<Void> result) {
        try {
            fetchPool.execute(() -> result.complete(null));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(refusal(e));
        }
    }

    /** A lookup that failed stays what it was; a pool that refuses work means the broker is stopping. */
    private static SluiceException refusal(RuntimeException e) {
        return e instanceof SluiceException s ? s
                : new SluiceException(ErrorCode.STORAGE_ERROR, "the broker is stopping", e);
    }
}
