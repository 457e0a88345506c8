package io.sluice.replication;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.EpochEndOffset;
import io.sluice.log.LeaderEpochs;
import io.sluice.log.LogSlice;
import io.sluice.log.PartitionLog;
import io.sluice.replication.Messages.EpochEnd;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.EpochQuery;
import io.sluice.replication.Messages.FetchPartition;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.FileRecords;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.PositionUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * What a leader does for its followers: answers their fetches (holding one that finds nothing new
 * until an append or its wait runs out), takes their position reports, and tells them where an
 * epoch ends so they can cut a divergent tail. Requests arrive on network threads; reads run on
 * the read pool.
 */
public final class LeaderSide {
    private final ReplicaManager manager;
    private final ExecutorService readPool;
    private final ScheduledExecutorService scheduler;
    private final LongSupplier clock;

    LeaderSide(ReplicaManager manager, ExecutorService readPool, ScheduledExecutorService scheduler,
            LongSupplier clock) {
        this.manager = manager;
        this.readPool = readPool;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
        CompletableFuture<FetchResponse> reply = new CompletableFuture<>();
        long deadline = clock.getAsLong() + Math.max(0, request.maxWaitMs());
        readPool.execute(() -> answer(request, true, deadline, reply));
        return reply;
    }

    private void answer(FetchRequest request, boolean first, long deadline, CompletableFuture<FetchResponse> reply) {
        try {
            List<FetchedPartition> out = new ArrayList<>(request.partitions().size());
            int budget = Math.max(1, request.maxBytes());
            long bytes = 0;
            List<Replica> waitOn = new ArrayList<>();
            for (FetchPartition fp : request.partitions()) {
                FetchedPartition fetched = fetchOne(request.replicaId(), fp, first, (int) Math.max(1, budget - bytes));
                out.add(fetched);
                bytes += fetched.records().sizeInBytes();
                if (fetched.error() == null) {
                    waitOn.add(manager.replica(fp.partition()));
                }
            }
            long remaining = deadline - clock.getAsLong();
            if (bytes > 0 || remaining <= 0 || waitOn.isEmpty()) {
                reply.complete(new FetchResponse(out));
                return;
            }
            park(waitOn, remaining, () -> readPool.execute(() -> answer(request, false, deadline, reply)));
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
    }

    /** Waits for the first append to any of {@code replicas}, or {@code waitMs}, then runs {@code then} once. */
    private void park(List<Replica> replicas, long waitMs, Runnable then) {
        CompletableFuture<Void> woken = new CompletableFuture<>();
        for (Replica r : replicas) {
            r.parkedFetches.add(woken);
        }
        ScheduledFuture<?> timer = scheduler.schedule(() -> woken.complete(null), waitMs, TimeUnit.MILLISECONDS);
        woken.thenRun(() -> {
            timer.cancel(false);
            for (Replica r : replicas) {
                r.parkedFetches.remove(woken);
            }
            then.run();
        });
    }

    private FetchedPartition fetchOne(int replicaId, FetchPartition fp, boolean recordPosition, int maxBytes) {
        TopicPartition tp = fp.partition();
        Replica r = manager.replica(tp);
        LeaderState leading = r == null ? null : r.leader;
        if (leading == null) {
            return failed(tp, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + manager.localId() + " does not lead " + tp);
        }
        if (fp.currentLeaderEpoch() < leading.leaderEpoch()) {
            return failed(tp, ErrorCode.FENCED_LEADER_EPOCH, tp + " is at leader epoch " + leading.leaderEpoch()
                    + ", the follower asked at " + fp.currentLeaderEpoch());
        }
        if (fp.currentLeaderEpoch() > leading.leaderEpoch()) {
            return failed(tp, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + manager.localId() + " leads " + tp
                    + " at epoch " + leading.leaderEpoch() + ", older than the follower's " + fp.currentLeaderEpoch());
        }
        PartitionLog log = r.log();
        long logEnd = log.logEndOffset();
        if (fp.fetchOffset() > logEnd || fp.fetchOffset() < log.logStartOffset()) {
            return new FetchedPartition(tp, new Messages.Error(ErrorCode.OFFSET_OUT_OF_RANGE.name(), "offset "
                    + fp.fetchOffset() + " is outside " + log.logStartOffset() + ".." + logEnd), leading.leaderEpoch(),
                    log.highWatermark(), log.logStartOffset(), log.logStartOffset(),
                    manager.tieredOffsets().tieredEndOffset(tp), HeapRecords.EMPTY);
        }
        if (recordPosition) {
            if (!leading.onFetch(replicaId, fp.fetchOffset(), fp.durableOffset(), logEnd, clock.getAsLong())) {
                return failed(tp, ErrorCode.NOT_LEADER_OR_FOLLOWER, "broker " + replicaId + " is not a replica of " + tp);
            }
            manager.maybeAdvanceHighWatermark(r);
        }
        LogSlice slice = log.readForReplica(fp.fetchOffset(), maxBytes);
        Messages.Records records = slice.length() == 0 ? HeapRecords.EMPTY
                : new FileRecords(slice.file(), slice.position(), slice.length());
        return new FetchedPartition(tp, null, leading.leaderEpoch(), log.highWatermark(), log.logStartOffset(),
                log.logStartOffset(), manager.tieredOffsets().tieredEndOffset(tp), records);
    }

    private static FetchedPartition failed(TopicPartition tp, ErrorCode code, String message) {
        return new FetchedPartition(tp, new Messages.Error(code.name(), message), -1, -1, -1, -1, -1,
                HeapRecords.EMPTY);
    }

    public void position(PositionUpdate update) {
        for (FetchPartition fp : update.partitions()) {
            Replica r = manager.replica(fp.partition());
            LeaderState leading = r == null ? null : r.leader;
            if (leading != null && leading.leaderEpoch() == fp.currentLeaderEpoch()) {
                leading.onPosition(update.replicaId(), fp.durableOffset());
                manager.maybeAdvanceHighWatermark(r);
            }
        }
    }

    public CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            List<EpochEnd> out = new ArrayList<>();
            for (EpochQuery q : request.partitions()) {
                out.add(epochEndOne(q));
            }
            return new EpochEndResponse(out);
        }, readPool);
    }

    private EpochEnd epochEndOne(EpochQuery q) {
        Replica r = manager.replica(q.partition());
        LeaderState leading = r == null ? null : r.leader;
        if (leading == null || q.currentLeaderEpoch() > leading.leaderEpoch()) {
            return new EpochEnd(q.partition(), new Messages.Error(ErrorCode.NOT_LEADER_OR_FOLLOWER.name(),
                    "broker " + manager.localId() + " does not lead " + q.partition() + " at epoch "
                            + q.currentLeaderEpoch()), -1, -1);
        }
        if (q.currentLeaderEpoch() < leading.leaderEpoch()) {
            return new EpochEnd(q.partition(), new Messages.Error(ErrorCode.FENCED_LEADER_EPOCH.name(),
                    q.partition() + " is at leader epoch " + leading.leaderEpoch()), -1, -1);
        }
        try {
            LeaderEpochs epochs = r.log().epochs();
            int latest = epochs.latestEpoch();
            EpochEndOffset end;
            if (latest >= 0 && latest < q.epoch() && q.epoch() < leading.leaderEpoch()) {
                // This leader has not written at its epoch yet, so its log does not name it. Kafka's
                // leader does from its election on: every epoch between its latest and its own ends
                // where its own starts. Without this the follower would hear "unknown" and empty its log.
                end = new EpochEndOffset(latest, leading.epochStartOffset());
            } else {
                end = epochs.endOffsetFor(q.epoch());
            }
            return new EpochEnd(q.partition(), null, end.epoch(), end.endOffset());
        } catch (SluiceException e) {
            return new EpochEnd(q.partition(), new Messages.Error(e.code().name(), e.getMessage()), -1, -1);
        }
    }
}
