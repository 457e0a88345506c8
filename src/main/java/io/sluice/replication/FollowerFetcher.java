package io.sluice.replication;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.log.EpochEndOffset;
import io.sluice.log.PartitionLog;
import io.sluice.replication.Messages.EpochEnd;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochQuery;
import io.sluice.replication.Messages.FetchPartition;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.FetchedPartition;
import io.sluice.replication.Messages.HeapRecords;
import io.sluice.replication.Messages.PositionUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * This broker's fetcher from one leader broker: one request at a time for every partition it
 * follows there. A partition joins after a change of leader epoch and is first truncated where its
 * log diverges from the leader's (the leader says where the follower's latest epoch ends, as
 * Kafka's KIP-279), then fetched from its log end. Each fetch also reports how far the follower's
 * log is fsynced, and each fsync between fetches is reported at once, so the leader's high
 * watermark moves as soon as the records are durable here.
 */
final class FollowerFetcher implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FollowerFetcher.class.getName());

    private final ReplicaManager manager;
    private final int leaderId;
    /** Asked for the leader's client at every request: a leader that restarts registers a new address. */
    private final IntFunction<ReplicationClient> clients;
    private final ScheduledExecutorService scheduler;
    private final Map<TopicPartition, Following> partitions = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean positionQueued = new AtomicBoolean();
    private volatile boolean closed;

    /** One partition followed at one leader epoch. */
    private static final class Following {
        final Replica replica;
        final int leaderEpoch;
        volatile boolean truncated;
        volatile long retryAtMs;

        Following(Replica replica, int leaderEpoch) {
            this.replica = replica;
            this.leaderEpoch = leaderEpoch;
        }
    }

    FollowerFetcher(ReplicaManager manager, int leaderId, IntFunction<ReplicationClient> clients,
            ScheduledExecutorService scheduler) {
        this.manager = manager;
        this.leaderId = leaderId;
        this.clients = clients;
        this.scheduler = scheduler;
    }

    void add(Replica replica, int leaderEpoch) {
        partitions.put(replica.partition, new Following(replica, leaderEpoch));
        kick();
    }

    void remove(TopicPartition tp) {
        partitions.remove(tp);
    }

    private boolean current(Following f) {
        return !closed && partitions.get(f.replica.partition) == f;
    }

    private void kick() {
        if (!closed && running.compareAndSet(false, true)) {
            scheduler.execute(this::round);
        }
    }

    /** One round: truncate the partitions that joined, else fetch the others; then the next round. */
    private void round() {
        if (closed || partitions.isEmpty()) {
            running.set(false);
            if (!closed && !partitions.isEmpty()) {
                kick(); // a partition joined while this round was ending
            }
            return;
        }
        long now = System.currentTimeMillis();
        List<Following> toTruncate = new ArrayList<>();
        List<Following> toFetch = new ArrayList<>();
        for (Following f : partitions.values()) {
            if (f.retryAtMs > now) {
                continue;
            }
            (f.truncated ? toFetch : toTruncate).add(f);
        }
        CompletableFuture<Void> step;
        if (!toTruncate.isEmpty()) {
            step = truncate(toTruncate);
        } else if (!toFetch.isEmpty()) {
            step = fetch(toFetch);
        } else {
            step = new CompletableFuture<>();
            scheduler.schedule(() -> step.complete(null), manager.settings().retryBackoffMs(), TimeUnit.MILLISECONDS);
        }
        step.whenComplete((v, e) -> {
            if (e != null && !closed) {
                LOG.log(System.Logger.Level.DEBUG, "fetching from broker " + leaderId + ": " + e);
                scheduler.schedule(this::round, manager.settings().retryBackoffMs(), TimeUnit.MILLISECONDS);
            } else {
                scheduler.execute(this::round);
            }
        });
    }

    private CompletableFuture<Void> truncate(List<Following> joined) {
        List<EpochQuery> queries = new ArrayList<>();
        List<Following> asked = new ArrayList<>();
        for (Following f : joined) {
            int latest = f.replica.log().epochs().latestEpoch();
            if (latest < 0) {
                f.truncated = true; // an empty log has nothing to diverge
                continue;
            }
            queries.add(new EpochQuery(f.replica.partition, f.leaderEpoch, latest));
            asked.add(f);
        }
        if (queries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ReplicationClient client;
        try {
            client = clients.apply(leaderId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e); // not registered (yet): the round retries after a pause
        }
        return client.epochEnd(new EpochEndRequest(manager.localId(), queries)).thenCompose(reply -> {
            List<CompletableFuture<Void>> cuts = new ArrayList<>();
            for (int i = 0; i < reply.partitions().size() && i < asked.size(); i++) {
                cuts.add(truncateOne(asked.get(i), reply.partitions().get(i)));
            }
            return CompletableFuture.allOf(cuts.toArray(CompletableFuture[]::new));
        });
    }

    /**
     * Cuts the follower's log where it stops agreeing with the leader: at the end the leader gives
     * for the largest epoch both have, or at the follower's own end of that epoch if it is lower.
     */
    private CompletableFuture<Void> truncateOne(Following f, EpochEnd end) {
        if (end.error() != null) {
            backOff(f, end.error());
            return CompletableFuture.completedFuture(null);
        }
        return f.replica.chain(() -> {
            if (!current(f)) {
                return CompletableFuture.completedFuture(null);
            }
            PartitionLog log = f.replica.log();
            long cut;
            boolean complete = true;
            if (end.epoch() < 0) {
                cut = log.logStartOffset(); // the leader has nothing of our epochs
            } else {
                EpochEndOffset ours = log.epochs().endOffsetFor(end.epoch());
                if (ours.epoch() == end.epoch()) {
                    cut = Math.min(end.endOffset(), ours.endOffset());
                } else {
                    // We never had the leader's epoch: what we hold past our end of the epoch below it
                    // was written at an epoch the leader never saw. Cut there and ask again (as Kafka).
                    cut = ours.endOffset();
                    complete = false;
                }
            }
            if (cut >= log.logEndOffset()) {
                f.truncated = true;
                return CompletableFuture.completedFuture(null);
            }
            LOG.log(System.Logger.Level.INFO, "{0}: truncating from {1} to {2} to follow broker {3} at epoch {4}",
                    f.replica.partition, log.logEndOffset(), cut, leaderId, f.leaderEpoch);
            boolean truncated = complete;
            return log.truncateTo(cut).thenRun(() -> f.truncated = truncated);
        });
    }

    private CompletableFuture<Void> fetch(List<Following> fetching) {
        List<FetchPartition> asks = new ArrayList<>(fetching.size());
        Map<TopicPartition, Following> asking = new HashMap<>();
        for (Following f : fetching) {
            asks.add(position(f));
            asking.put(f.replica.partition, f);
        }
        ReplicationSettings s = manager.settings();
        ReplicationClient client;
        try {
            client = clients.apply(leaderId);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return client.fetch(new FetchRequest(manager.localId(), s.fetchMaxWaitMs(), s.fetchMaxBytes(), asks))
                .thenCompose(reply -> apply(reply, asking));
    }

    private static FetchPartition position(Following f) {
        PartitionLog log = f.replica.log();
        return new FetchPartition(f.replica.partition, f.leaderEpoch, log.logEndOffset(), log.durableEnd(),
                log.epochs().latestEpoch());
    }

    /**
     * Applies a reply to the partitions as they were followed when asked: a partition followed anew
     * since (a new epoch of the same leader) must not take records fetched for the old one before
     * it truncated for the new one.
     */
    private CompletableFuture<Void> apply(FetchResponse reply, Map<TopicPartition, Following> asking) {
        List<CompletableFuture<Void>> appends = new ArrayList<>();
        for (FetchedPartition fetched : reply.partitions()) {
            Following f = asking.get(fetched.partition());
            if (f == null || !current(f)) {
                continue;
            }
            appends.add(applyOne(f, fetched));
        }
        return CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new));
    }

    private CompletableFuture<Void> applyOne(Following f, FetchedPartition fetched) {
        if (fetched.error() != null) {
            if (ErrorCode.OFFSET_OUT_OF_RANGE.name().equals(fetched.error().code())) {
                return outOfRange(f, fetched);
            }
            backOff(f, fetched.error());
            return CompletableFuture.completedFuture(null);
        }
        if (fetched.tieredEndOffset() >= 0) {
            manager.tieredOffsets().leaderTieredEnd(fetched.partition(), fetched.tieredEndOffset());
        }
        return f.replica.chain(() -> {
            if (!current(f)) {
                return CompletableFuture.completedFuture(null);
            }
            PartitionLog log = f.replica.log();
            CompletableFuture<Void> appended = CompletableFuture.completedFuture(null);
            if (fetched.records() instanceof HeapRecords heap && heap.bytes().hasRemaining()) {
                appended = log.appendAsFollower(heap.bytes()).thenApply(end -> null);
            }
            return appended.thenRun(() -> log.updateHighWatermark(Math.min(fetched.highWatermark(),
                    log.logEndOffset())));
        });
    }

    /** Our log end is below the leader's local log start (its older segments are tiered or gone): start there. */
    private CompletableFuture<Void> outOfRange(Following f, FetchedPartition fetched) {
        return f.replica.chain(() -> {
            PartitionLog log = f.replica.log();
            if (!current(f) || log.logEndOffset() >= fetched.localLogStartOffset()) {
                f.truncated = false; // above the leader's end: find the divergence again
                return CompletableFuture.completedFuture(null);
            }
            LOG.log(System.Logger.Level.INFO, "{0}: log end {1} is below the leader's local log start {2}; "
                    + "starting over there", f.replica.partition, log.logEndOffset(), fetched.localLogStartOffset());
            return log.truncateFullyAndStartAt(fetched.localLogStartOffset());
        });
    }

    private void backOff(Following f, Messages.Error error) {
        LOG.log(System.Logger.Level.DEBUG, "{0}: broker {1} answered {2}: {3}", f.replica.partition, leaderId,
                error.code(), error.message());
        f.retryAtMs = System.currentTimeMillis() + manager.settings().retryBackoffMs();
        manager.refreshState(f.replica.partition);
    }

    /** A followed log's fsync moved on: tell the leader now rather than at the next fetch. */
    void positionChanged() {
        if (!closed && positionQueued.compareAndSet(false, true)) {
            scheduler.execute(() -> {
                positionQueued.set(false);
                List<FetchPartition> positions = new ArrayList<>();
                for (Following f : partitions.values()) {
                    if (f.truncated) {
                        positions.add(position(f));
                    }
                }
                if (!positions.isEmpty()) {
                    try {
                        clients.apply(leaderId).position(new PositionUpdate(manager.localId(), positions));
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "reporting positions to broker " + leaderId + ": " + e);
                    }
                }
            });
        }
    }

    @Override
    public void close() {
        closed = true;
        partitions.clear();
    }
}
