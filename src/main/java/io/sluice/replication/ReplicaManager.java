package io.sluice.replication;

import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.MetadataUnavailableException;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.AppendInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The replicas this broker holds and their roles. It applies the cluster's partition states
 * (become leader, become follower, stop), takes leader appends and completes acks=all on the high
 * watermark, serves followers' fetches ({@link LeaderSide}) and runs this broker's own fetchers
 * ({@link FollowerFetcher}, one per leader broker).
 *
 * <p>Metadata writes (ISR changes) block on the cluster, so they run on one control thread of
 * their own, never on a log writer or a network thread.
 */
public final class ReplicaManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ReplicaManager.class.getName());
    /** Replica ops only hand work to the logs, but becoming leader or follower waits for the log's writer. */
    private static final int REPLICA_OPS_THREADS = 2;
    private static final long REPLICA_OPS_KEEP_ALIVE_SECONDS = 10;

    private final int localId;
    private final MetadataStore store;
    private final ReplicationSettings settings;
    private final IntFunction<ReplicationClient> clients;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService control;
    /** Runs each replica's role changes and follower log changes ({@link Replica#chain}). */
    private final ExecutorService replicaOps;
    private final LongSupplier clock;
    private final Map<TopicPartition, Replica> replicas = new ConcurrentHashMap<>();
    private final Map<Integer, FollowerFetcher> fetchers = new ConcurrentHashMap<>();
    private final LeaderSide leaderSide;
    private final ReplicationMetrics metrics = new ReplicationMetrics();
    private final ScheduledFuture<?> isrCheck;
    private volatile boolean closed;
    private volatile TieredOffsets tieredOffsets = TieredOffsets.NONE;
    private final List<LeadershipListener> leadershipListeners = new CopyOnWriteArrayList<>();

    /**
     * Told when this broker takes or loses the leadership of a partition, on the thread that changes
     * the role (a replica's ops thread): a listener only hands work off. A leader that moves to a newer
     * epoch without losing the role in between is told {@code leading} again.
     */
    public interface LeadershipListener {
        void leadershipChanged(TopicPartition partition, boolean leading);
    }

    /**
     * @param clients  a client to the replication listener of the broker with the given id
     * @param readPool where leader-side reads for followers run (they may touch the disk)
     */
    public ReplicaManager(int localId, MetadataStore store, ReplicationSettings settings,
            IntFunction<ReplicationClient> clients, ScheduledExecutorService scheduler, ExecutorService readPool,
            LongSupplier clock) {
        this.localId = localId;
        this.store = store;
        this.settings = settings;
        this.clients = clients;
        this.scheduler = scheduler;
        this.clock = clock;
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-replica-control-" + localId);
            t.setDaemon(true);
            return t;
        });
        // Never shut down, so that an op chained on a log future after close is not rejected on the
        // thread completing that future (the log's writer); idle threads end by themselves.
        ThreadPoolExecutor ops = new ThreadPoolExecutor(REPLICA_OPS_THREADS, REPLICA_OPS_THREADS,
                REPLICA_OPS_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sluice-replica-ops-" + localId);
                    t.setDaemon(true);
                    return t;
                });
        ops.allowCoreThreadTimeOut(true);
        this.replicaOps = ops;
        this.leaderSide = new LeaderSide(this, readPool, scheduler, clock);
        this.isrCheck = scheduler.scheduleWithFixedDelay(this::checkIsrs, settings.isrCheckIntervalMs(),
                settings.isrCheckIntervalMs(), TimeUnit.MILLISECONDS);
    }

    int localId() {
        return localId;
    }

    ReplicationSettings settings() {
        return settings;
    }

    ReplicationMetrics metrics() {
        return metrics;
    }

    public ReplicationMetrics replicationMetrics() {
        return metrics;
    }

    /** Connects replication to the object-store tier: what leaders tell followers is in the bucket. */
    public void tieredOffsets(TieredOffsets offsets) {
        this.tieredOffsets = offsets;
    }

    TieredOffsets tieredOffsets() {
        return tieredOffsets;
    }

    /** The handler for followers' requests, for the replication listener. */
    public LeaderSide leaderSide() {
        return leaderSide;
    }

    public void addLeadershipListener(LeadershipListener listener) {
        leadershipListeners.add(listener);
    }

    private void tellLeadership(TopicPartition tp, boolean leading) {
        for (LeadershipListener l : leadershipListeners) {
            try {
                l.leadershipChanged(tp, leading);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a leadership listener failed on " + tp, e);
            }
        }
    }

    Replica replica(TopicPartition tp) {
        return replicas.get(tp);
    }

    // ---- the replicas this broker holds --------------------------------------------------------

    /**
     * Registers (or re-registers, after the broker reopened it) the local log of a replica. A new
     * replica takes no role until {@link #apply} gives it one; a re-registered one takes its role
     * again on the new log.
     */
    public void register(TopicPartition tp, PartitionLog log, IntSupplier minInsyncReplicas) {
        boolean[] reopened = {false};
        Replica r = replicas.compute(tp, (k, old) -> {
            if (old != null) {
                if (old.log() != log) {
                    old.replaceLog(log);
                    reopened[0] = true;
                }
                return old;
            }
            return new Replica(tp, log, minInsyncReplicas, replicaOps);
        });
        log.onDurableAdvance(end -> onDurable(r));
        if (reopened[0]) {
            r.chain(() -> {
                // The role was taken on the old log: its high watermark was handed to replication there,
                // and applying the same state again would find the role unchanged and leave the new log's
                // watermark following its own fsyncs (acks=all answered without any follower).
                PartitionState state = r.state;
                resign(r, "its log was reopened");
                stopFollowing(r);
                r.state = null;
                if (state != null) {
                    applyNow(r, state);
                }
                return CompletableFuture.completedFuture(null);
            });
        }
    }

    /** Stops the replica (no longer assigned here, or its topic is deleted): no role, no fetching. */
    public CompletableFuture<Void> unregister(TopicPartition tp) {
        Replica r = replicas.remove(tp);
        if (r == null) {
            return CompletableFuture.completedFuture(null);
        }
        return r.chain(() -> {
            resign(r, "its replica on broker " + localId + " was removed");
            stopFollowing(r);
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Applies the cluster's state of a partition to the local replica, if this broker holds one. */
    public void apply(PartitionState state) {
        Replica r = replicas.get(state.key());
        if (r == null) {
            return;
        }
        r.chain(() -> {
            applyNow(r, state);
            return CompletableFuture.completedFuture(null);
        });
    }

    private void applyNow(Replica r, PartitionState state) {
        if (closed) {
            return; // an apply chained before close: no fetcher may start after it
        }
        PartitionState previous = r.state;
        if (previous != null && previous.partitionEpoch() > state.partitionEpoch()
                && previous.topicId().equals(state.topicId())) {
            return; // an older event overtaken by a newer one
        }
        r.state = state;
        LeaderState leading = r.leader;
        if (state.leader() == localId && state.replicas().contains(localId)) {
            if (leading != null && leading.leaderEpoch() == state.leaderEpoch()) {
                leading.updateMembership(state.replicas(), state.isr(), clock.getAsLong());
                leading.setMinInsyncReplicas(r.minInsyncReplicas.getAsInt());
                maybeAdvanceHighWatermark(r);
                return;
            }
            if (state.leaderEpoch() <= r.epochAtStart) {
                control.execute(() -> bumpEpoch(r, state));
                return;
            }
            stopFollowing(r);
            becomeLeader(r, state);
            return;
        }
        resign(r, state.hasLeader() ? "broker " + state.leader() + " leads it now at epoch " + state.leaderEpoch()
                : "it has no leader");
        if (state.hasLeader() && state.replicas().contains(localId)) {
            follow(r, state.leader(), state.leaderEpoch());
        } else {
            stopFollowing(r);
        }
    }

    /**
     * A broker that restarts as a partition's leader takes the role at a new epoch, as Kafka's
     * controller re-elects a returning leader: it may have lost an unsynced tail its followers
     * fetched, and new batches at the old epoch would then differ from theirs at the same offsets.
     */
    private void bumpEpoch(Replica r, PartitionState state) {
        if (closed || r.state != state || replicas.get(r.partition) != r) {
            return; // superseded: the newer state is applied on its own
        }
        boolean written;
        try {
            written = store.hasQuorum() && store.compareAndSet(state, state.withLeader(localId, state.isr()));
        } catch (MetadataUnavailableException e) {
            written = false;
        }
        if (!written) {
            scheduler.schedule(() -> store.partition(r.partition).ifPresent(this::apply), settings.retryBackoffMs() * 5,
                    TimeUnit.MILLISECONDS);
            return;
        }
        LOG.log(System.Logger.Level.INFO, "{0}: leads again after a restart, at epoch {1}", r.partition,
                state.leaderEpoch() + 1);
        store.partition(r.partition).ifPresent(this::apply);
    }

    private void becomeLeader(Replica r, PartitionState state) {
        PartitionLog log = r.log();
        log.manageHighWatermark();
        LeaderState leading = new LeaderState(localId, state.leaderEpoch(), log.logEndOffset(), state.replicas(),
                state.isr(), r.minInsyncReplicas.getAsInt(), settings.replicaLagTimeMaxMs(), clock.getAsLong());
        // What the ISR allows already (all of the log, for a leader alone) is visible before the role is.
        long current = log.highWatermark();
        long hw = leading.highWatermark(log.durableEnd(), current);
        if (hw > current) {
            log.updateHighWatermark(hw);
        }
        r.leader = leading;
        LOG.log(System.Logger.Level.INFO, "{0}: leader at epoch {1} from offset {2}, ISR {3}", r.partition,
                state.leaderEpoch(), log.logEndOffset(), state.isr());
        maybeAdvanceHighWatermark(r);
        tellLeadership(r.partition, true);
    }

    /** This broker no longer leads: acks=all waiters fail (their records' fate is the new leader's). */
    private void resign(Replica r, String why) {
        if (r.leader == null) {
            return;
        }
        r.leader = null;
        r.log().failHighWatermarkWaiters(() -> new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                r.partition + ": leadership moved before the records were replicated (" + why
                        + "); they may or may not be kept"));
        r.wakeFetches();
        LOG.log(System.Logger.Level.INFO, "{0}: no longer leader: {1}", r.partition, why);
        tellLeadership(r.partition, false);
    }

    private void follow(Replica r, int leaderId, int epoch) {
        if (r.followedLeader == leaderId && r.followedEpoch == epoch) {
            return;
        }
        stopFollowing(r);
        r.log().manageHighWatermark();
        r.followedLeader = leaderId;
        r.followedEpoch = epoch;
        fetchers.computeIfAbsent(leaderId, id -> new FollowerFetcher(this, id, clients, scheduler))
                .add(r, epoch);
    }

    private void stopFollowing(Replica r) {
        int leaderId = r.followedLeader;
        if (leaderId < 0) {
            return;
        }
        r.followedLeader = -1;
        r.followedEpoch = -1;
        FollowerFetcher f = fetchers.get(leaderId);
        if (f != null) {
            f.remove(r.partition);
        }
    }

    private void onDurable(Replica r) {
        if (r.leader != null) {
            maybeAdvanceHighWatermark(r);
        } else {
            FollowerFetcher f = r.followedLeader < 0 ? null : fetchers.get(r.followedLeader);
            if (f != null) {
                f.positionChanged();
            }
        }
    }

    // ---- leader side ---------------------------------------------------------------------------

    /**
     * Appends a batch as this partition's leader. acks=1 completes once written; acks=all once the
     * high watermark passes the batch, and is refused up front (NOT_ENOUGH_REPLICAS) while the ISR
     * is smaller than min.insync.replicas, so nothing is written that cannot be acknowledged.
     */
    public CompletableFuture<AppendInfo> appendAsLeader(TopicPartition tp, ByteBuffer batch, boolean acksAll) {
        Replica r = replicas.get(tp);
        LeaderState leading = r == null ? null : r.leader;
        if (leading == null) {
            return CompletableFuture.failedFuture(notLeader(tp));
        }
        if (acksAll && !leading.enoughInSync()) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS, tp
                    + " has " + leading.isr().size() + " in-sync replicas " + leading.isr()
                    + ", fewer than min.insync.replicas=" + leading.minInsyncReplicas() + "; nothing was written"));
        }
        PartitionLog log = r.log();
        CompletableFuture<AppendInfo> appended = log.appendAsLeader(batch, leading.leaderEpoch());
        appended.thenRun(r::wakeFetches);
        if (!acksAll) {
            return appended;
        }
        return appended.thenCompose(info -> replicatedWhileLeading(r, leading, info)
                .orTimeout(settings.ackTimeoutMs(), TimeUnit.MILLISECONDS)
                .handle((v, e) -> {
                    if (e == null) {
                        return info;
                    }
                    Throwable cause = SluiceException.causeOf(e);
                    if (cause instanceof TimeoutException) {
                        throw new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, tp + ": offsets "
                                + info.baseOffset() + ".." + info.lastOffset() + " were written by the leader but "
                                + "not confirmed by the in-sync replicas within " + settings.ackTimeoutMs()
                                + " ms; they may or may not be kept");
                    }
                    throw cause instanceof RuntimeException re ? re : new SluiceException(
                            ErrorCode.STORAGE_ERROR, String.valueOf(cause.getMessage()), cause);
                }));
    }

    /**
     * The high watermark passing the batch, for as long as {@code leading} is this broker's role. A
     * resign fails the waiters it finds; one registered just after it (the append finished as
     * leadership moved) is failed here. Otherwise it would wait out the ack timeout, or worse, be
     * completed by a follower's watermark passing records that replaced the batch.
     */
    private CompletableFuture<Void> replicatedWhileLeading(Replica r, LeaderState leading, AppendInfo info) {
        CompletableFuture<Void> replicated = r.log().awaitHighWatermark(info.lastOffset() + 1);
        if (r.leader != leading && !replicated.isDone()) {
            replicated.completeExceptionally(new SluiceException(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    r.partition + ": leadership moved before offsets " + info.baseOffset() + ".." + info.lastOffset()
                            + " were replicated; they may or may not be kept"));
        }
        return replicated;
    }

    static SluiceException notLeader(TopicPartition tp) {
        return new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, tp + " is not led by this broker");
    }

    /** Whether this broker leads the partition now, and at which epoch (-1 when it does not). */
    public int leaderEpochIfLeading(TopicPartition tp) {
        Replica r = replicas.get(tp);
        LeaderState l = r == null ? null : r.leader;
        return l == null ? -1 : l.leaderEpoch();
    }

    public Optional<List<Integer>> isr(TopicPartition tp) {
        Replica r = replicas.get(tp);
        LeaderState l = r == null ? null : r.leader;
        return l == null ? Optional.empty() : Optional.of(l.isr());
    }

    /** Follower lag (in offsets) per follower broker, for the partitions this broker leads. */
    public Map<Integer, Long> followerLag(TopicPartition tp) {
        Replica r = replicas.get(tp);
        LeaderState l = r == null ? null : r.leader;
        return l == null ? Map.of() : l.followerLag(r.log().logEndOffset());
    }

    void maybeAdvanceHighWatermark(Replica r) {
        LeaderState leading = r.leader;
        if (leading == null || !store.hasQuorum()) {
            // A leader whose view lost the majority acknowledges nothing: the majority may be
            // electing another leader, and an ISR shrunk on this side would not survive the heal.
            return;
        }
        PartitionLog log = r.log();
        long current = log.highWatermark();
        long hw = leading.highWatermark(log.durableEnd(), current);
        if (hw > current) {
            log.updateHighWatermark(hw);
        }
        List<Integer> from = leading.isr();
        List<Integer> change = leading.isrChange(log.highWatermark(), clock.getAsLong());
        if (change != null) {
            control.execute(() -> proposeIsr(r, leading, from, change));
        }
    }

    private void checkIsrs() {
        for (Replica r : replicas.values()) {
            if (r.leader != null) {
                try {
                    maybeAdvanceHighWatermark(r);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "checking the ISR of " + r.partition, e);
                }
            }
        }
    }

    /**
     * Writes an ISR change by a conditional write on the partition's state at this leader's epoch.
     * {@code from} is the ISR the change was decided on: proposals wait on the control thread, and one
     * decided before the ISR moved (the controller dropped a broker that left the view, an earlier
     * proposal landed) is dropped rather than written over the newer state. Written, it would undo the
     * controller's change or bump the version for nothing, and each such write races the controller's
     * next one: the ISR of a returning follower flapped, written over and over with the same members.
     */
    private void proposeIsr(Replica r, LeaderState leading, List<Integer> from, List<Integer> newIsr) {
        PartitionState current = r.state;
        if (closed || r.leader != leading || current == null || current.leader() != localId
                || current.leaderEpoch() != leading.leaderEpoch()) {
            return;
        }
        if (!sameMembers(current.isr(), from) || sameMembers(current.isr(), newIsr) || addsAbsent(current, newIsr)) {
            leading.proposalFailed(); // the next check decides again on the current ISR
            return;
        }
        PartitionState updated = current.withIsr(newIsr);
        boolean written;
        try {
            written = store.hasQuorum() && store.compareAndSet(current, updated);
        } catch (MetadataUnavailableException e) {
            // The minority side of a split: the ISR cannot shrink, so the high watermark stays.
            written = false;
        }
        if (written && !store.hasQuorum()) {
            // The write landed on a side that lost the majority while it was in flight (the view
            // changes before the cache stops taking writes): it does not count, and the heal undoes it.
            LOG.log(System.Logger.Level.WARNING, "{0}: ISR change to {1} made while cut off from the majority; "
                    + "not applied", r.partition, newIsr);
            written = false;
        }
        if (!written) {
            leading.proposalRefused(clock.getAsLong() + settings.isrCheckIntervalMs());
            store.partition(r.partition).ifPresent(this::apply);
            return;
        }
        boolean shrink = newIsr.size() < current.isr().size();
        (shrink ? metrics.isrShrinks : metrics.isrExpands).incrementAndGet();
        LOG.log(System.Logger.Level.INFO, "{0}: ISR {1} -> {2} at epoch {3}", r.partition, current.isr(), newIsr,
                leading.leaderEpoch());
        apply(updated);
    }

    /**
     * Whether the change adds a broker that is not in this broker's view of the cluster. A frozen broker
     * that runs again fetches before the views merge; the controller drops it from the ISR as long as it
     * is out of the view, so adding it then only flaps the ISR (Kafka's KIP-841: a fenced broker is not
     * eligible to join the ISR).
     */
    private boolean addsAbsent(PartitionState current, List<Integer> newIsr) {
        Set<Integer> live = store.liveBrokers();
        for (int id : newIsr) {
            if (!current.isr().contains(id) && !live.contains(id)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameMembers(List<Integer> a, List<Integer> b) {
        return a.size() == b.size() && Set.copyOf(a).equals(Set.copyOf(b));
    }

    // ---- follower side -------------------------------------------------------------------------

    /** The follower fetcher of {@code leaderId} lost its leader's attention for a partition: re-read the state. */
    void refreshState(TopicPartition tp) {
        control.execute(() -> {
            try {
                store.partition(tp).ifPresent(this::apply);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "re-reading the state of " + tp + ": " + e);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        isrCheck.cancel(false);
        fetchers.values().forEach(FollowerFetcher::close);
        control.shutdownNow();
        replicas.values().forEach(Replica::wakeFetches);
    }

    /** Counters of ISR changes, for metrics. */
    public static final class ReplicationMetrics {
        final AtomicLong isrShrinks = new AtomicLong();
        final AtomicLong isrExpands = new AtomicLong();

        public long isrShrinks() {
            return isrShrinks.get();
        }

        public long isrExpands() {
            return isrExpands.get();
        }
    }
}
