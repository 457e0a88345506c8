package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.HeartbeatReply;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetReset;
import io.sluice.log.SerialExecutor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The group half of a {@code /ws/consume?group=G} session: it joins the group and heartbeats
 * through {@link Broker#heartbeat} (the coordinator may be on another broker), and reconciles each
 * reply with what its {@link ReadLoop} reads. A partition taken away is stopped at once, its
 * acknowledged position auto-committed, its {@code revoked} frame written out, and only then is the
 * coordinator told (in a heartbeat sent at once), so no partition is read by two members at once.
 * A partition handed over starts at the group's committed offset, else at {@code from}, and is
 * announced in an {@code assigned} frame before its first records.
 *
 * <p>Everything runs on the session's {@link SerialExecutor}; timers on the broker's scheduler
 * only hand work to it, so no event loop ever waits and no state needs a lock.
 */
final class GroupMember {
    private static final System.Logger LOG = System.getLogger(GroupMember.class.getName());
    /** How soon a heartbeat that found no coordinator (moving, electing) is tried again. */
    static final long RETRY_MS = 250;
    /** How long a commit may take before the member goes on without it (the coordinator's append has its own bound). */
    static final long COMMIT_TIMEOUT_MS = 15_000;
    private static final Comparator<TopicPartition> ORDER = Comparator.comparing(TopicPartition::topic)
            .thenComparingInt(TopicPartition::partition);

    /** What the member needs of its session: control frames, written out in order, and a fatal end. */
    interface Session extends ReadLoop.Ending {
        /** Sends a control frame; completes once the socket has written it out. */
        CompletableFuture<Void> send(String frame);
    }

    private final Broker broker;
    private final ConsumeRequest.Membership membership;
    private final String clientHost;
    private final SerialExecutor executor;
    private final ReadLoop reads;
    private final Session session;
    private final long writeTimeoutMs;
    /** Partitions stopped but not yet reported as given up: their revocation (commit, frame) is under way. */
    private final Set<TopicPartition> revoking = new HashSet<>();
    /**
     * Partitions handed over whose start offset their leader is being asked for. Reported owned, so
     * the coordinator hands them to no one else meanwhile; dropped without a frame if taken back first.
     */
    private final Set<TopicPartition> resolving = new HashSet<>();
    /** What auto-commit last committed, per partition, so that an unchanged position is not committed again. */
    private final Map<TopicPartition, Long> autoCommitted = new HashMap<>();
    private String memberId;
    private int memberEpoch = MemberHeartbeat.JOIN_EPOCH;
    private boolean heartbeatInFlight;
    private boolean heartbeatAgain;
    private ScheduledFuture<?> nextHeartbeat;
    private ScheduledFuture<?> autoCommitTimer;
    private long lastReplyNanos = System.nanoTime();
    private boolean autoCommitting;
    /** Whether the last commit was refused: the first refusal in a row is logged at INFO, repeats at DEBUG. */
    private boolean lastCommitRefused;
    private boolean stopped;

    GroupMember(Broker broker, ConsumeRequest.Membership membership, String clientHost, SerialExecutor executor,
            ReadLoop reads, Session session, long writeTimeoutMs) {
        this.broker = broker;
        this.membership = membership;
        this.clientHost = clientHost;
        this.executor = executor;
        this.reads = reads;
        this.session = session;
        this.writeTimeoutMs = writeTimeoutMs;
    }

    /** Joins the group. On the session's executor. */
    void start() {
        heartbeat();
    }

    // ---- heartbeats ------------------------------------------------------------------------------

    /** Heartbeats now, or right after the one under way answers. */
    private void heartbeat() {
        if (stopped) {
            return;
        }
        if (heartbeatInFlight) {
            heartbeatAgain = true;
            return;
        }
        if (memberId == null && !revoking.isEmpty()) {
            return; // a member joins owning nothing: the revocation's end sends this heartbeat
        }
        cancel(nextHeartbeat);
        heartbeatInFlight = true;
        CompletableFuture<HeartbeatReply> reply;
        try {
            reply = broker.heartbeat(heartbeatOf(memberEpoch, owned()));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> executor.execute(() -> {
            heartbeatInFlight = false;
            if (stopped) {
                return;
            }
            if (error != null) {
                onHeartbeatError(SluiceException.causeOf(error));
            } else {
                reconcile(r);
            }
            if (heartbeatAgain) {
                heartbeatAgain = false;
                heartbeat();
            }
        }));
    }

    private MemberHeartbeat heartbeatOf(int epoch, Set<TopicPartition> owned) {
        return new MemberHeartbeat(membership.groupId(), memberId, epoch, clientHost, membership.topics(),
                membership.strategy(), membership.protocol(), owned, membership.sessionTimeoutMs());
    }

    /** What the member owns: what it reads, and what it stopped reading but has not yet reported given up. */
    private Set<TopicPartition> owned() {
        Set<TopicPartition> owned = reads.partitions();
        owned.addAll(revoking);
        owned.addAll(resolving);
        return owned;
    }

    private void scheduleHeartbeat(long delayMs) {
        cancel(nextHeartbeat);
        nextHeartbeat = broker.scheduler().schedule(() -> executor.execute(this::heartbeat), delayMs,
                TimeUnit.MILLISECONDS);
    }

    private void onHeartbeatError(Throwable error) {
        ErrorCode code = error instanceof SluiceException e ? e.code() : ErrorCode.COORDINATOR_NOT_AVAILABLE;
        switch (code) {
            case UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH -> {
                // The coordinator no longer knows this member at this epoch (session expired, coordinator
                // moved): its partitions may be someone else's already. Give up all of them and join again.
                LOG.log(System.Logger.Level.INFO, "group {0}: member {1} fenced ({2}); rejoining",
                        membership.groupId(), memberId, code);
                rejoin();
            }
            case COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER,
                    FENCED_LEADER_EPOCH, NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, BROKER_BUSY,
                    THROTTLED, STORAGE_ERROR, TIER_UNAVAILABLE -> {
                if (memberId != null && System.nanoTime() - lastReplyNanos
                        >= TimeUnit.MILLISECONDS.toNanos(membership.sessionTimeoutMs())) {
                    // Unheard for a whole session timeout: the coordinator has removed this member and may
                    // have handed its partitions on. Stop reading them now rather than when it answers.
                    rejoin();
                } else {
                    scheduleHeartbeat(RETRY_MS); // keep what is owned: the coordinator still counts it ours
                }
            }
            default -> session.fail(code.name(), error.getMessage());
        }
    }

    /** Gives up every partition (no commit: it would be refused) and joins again as a new member. */
    private void rejoin() {
        boolean wasMember = memberId != null;
        Set<TopicPartition> all = reads.partitions();
        memberId = null;
        memberEpoch = MemberHeartbeat.JOIN_EPOCH;
        autoCommitted.clear();
        resolving.clear(); // never announced: nothing to revoke
        cancel(nextHeartbeat);
        if (!all.isEmpty()) {
            revoke(all, false); // heartbeats (joins) once the revoked frame is out
        } else if (wasMember) {
            heartbeat();
        } else {
            scheduleHeartbeat(RETRY_MS); // refused while joining: not again at once
        }
    }

    // ---- reconciliation --------------------------------------------------------------------------

    private void reconcile(HeartbeatReply reply) {
        lastReplyNanos = System.nanoTime();
        if (autoCommitTimer == null && membership.autoCommit()) {
            startAutoCommit();
        }
        memberId = reply.memberId();
        memberEpoch = reply.memberEpoch();
        Set<TopicPartition> reading = reads.partitions();
        Set<TopicPartition> taken = new HashSet<>(reading);
        taken.removeAll(reply.assignment());
        Set<TopicPartition> added = new HashSet<>(reply.assignment());
        added.removeAll(reading);
        // One still being given up comes back in a later reply, once this member has said it let it go.
        added.removeAll(revoking);
        added.removeAll(resolving);
        // Taken back before its start offset was known: never announced, so given up without a frame.
        if (resolving.retainAll(reply.assignment())) {
            heartbeatAgain = true;
        }
        // At least three heartbeats per session timeout (Kafka's rule for heartbeat.interval.ms), so
        // one late or lost heartbeat does not cost a member with a short timeout its partitions.
        scheduleHeartbeat(Math.min(reply.heartbeatIntervalMs(), membership.sessionTimeoutMs() / 3));
        if (!taken.isEmpty()) {
            revoke(taken, membership.autoCommit());
        }
        if (!added.isEmpty()) {
            assign(added, reply.committed());
        }
    }

    /**
     * Stops reading {@code partitions}, commits their acknowledged positions (when asked), writes
     * the {@code revoked} frame, and once both are done heartbeats at once with the smaller set.
     */
    private void revoke(Set<TopicPartition> partitions, boolean commit) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> acknowledged = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long offset = reads.remove(tp);
            if (offset != ReadPosition.NONE) {
                acknowledged.put(tp, offset);
            }
        }
        revoking.addAll(partitions);
        CompletableFuture<Void> committed = commit ? commitQuietly(acknowledged) : CompletableFuture.completedFuture(null);
        CompletableFuture<Void> written = session.send(Frames.revoked(sorted(partitions)))
                .orTimeout(writeTimeoutMs, TimeUnit.MILLISECONDS);
        CompletableFuture.allOf(committed, written).whenComplete((v, error) -> executor.execute(() -> {
            if (stopped) {
                return;
            }
            if (written.isCompletedExceptionally()) {
                // A client that does not read its revoked frame would hold its partitions from the
                // group for as long as it stays connected.
                session.failAndDrop(ErrorCode.THROTTLED.name(), "the revoked frame was not read within "
                        + writeTimeoutMs + " ms; disconnecting");
                return;
            }
            revoking.removeAll(partitions);
            heartbeat();
        }));
    }

    /**
     * Starts reading partitions handed over: from the group's committed offset, else from
     * {@code from}, both resolved by each partition's leader (this broker may hold no replica).
     * They are announced in one {@code assigned} frame once every start is known.
     */
    private void assign(Set<TopicPartition> partitions, Map<TopicPartition, CommittedOffset> committed) {
        Map<TopicPartition, CompletableFuture<Long>> starts = new HashMap<>();
        OffsetReset from = membership.fromEarliest() ? new OffsetReset.Earliest() : new OffsetReset.Latest();
        for (TopicPartition tp : partitions) {
            if (!membership.topicIds().containsKey(tp.topic())) {
                continue; // not a topic this member reads: the coordinator hands out only those
            }
            CommittedOffset c = committed.get(tp);
            resolving.add(tp);
            starts.put(tp, broker.resolveOffset(tp.topic(), tp.partition(),
                    c == null ? from : new OffsetReset.ToOffset(c.offset())));
        }
        CompletableFuture.allOf(starts.values().toArray(CompletableFuture[]::new)).whenComplete((v, e) ->
                executor.execute(() -> started(starts)));
    }

    private void started(Map<TopicPartition, CompletableFuture<Long>> resolved) {
        if (stopped) {
            return;
        }
        List<ConsumeRequest.Start> starts = new ArrayList<>();
        boolean unresolved = false;
        for (TopicPartition tp : sorted(resolved.keySet())) {
            if (!resolving.remove(tp)) {
                continue; // taken back (or the member rejoined) while its start was asked for
            }
            CompletableFuture<Long> offset = resolved.get(tp);
            if (offset.isCompletedExceptionally()) {
                // Its leader did not answer (moving, or a partition not known here yet): not owned, so
                // the next reply offers it again.
                unresolved = true;
                continue;
            }
            starts.add(new ConsumeRequest.Start(tp.topic(), membership.topicIds().get(tp.topic()), tp.partition(),
                    offset.join()));
        }
        if (unresolved) {
            scheduleHeartbeat(RETRY_MS);
        }
        if (starts.isEmpty()) {
            return;
        }
        session.send(Frames.assigned(starts)); // queued before the partitions' first records
        starts.forEach(reads::add);
    }

    // ---- commits ---------------------------------------------------------------------------------

    /**
     * A {@code commit} message: offsets committed as this member at its current epoch, answered with
     * {@code committed} or a non-fatal error frame.
     */
    void commit(Map<TopicPartition, Long> offsets, String metadata) {
        if (memberId == null) {
            throw new SluiceException(ErrorCode.UNKNOWN_MEMBER_ID, "this member has not joined its group yet; commit"
                    + " once partitions are assigned");
        }
        commitAs(offsets, metadata).whenComplete((written, error) -> executor.execute(() -> {
            if (error != null) {
                SluiceException e = SluiceException.causeOf(error) instanceof SluiceException s ? s
                        : new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, "commit failed: " + error);
                session.send(Frames.error(null, e.code().name(), e.getMessage()));
            } else {
                session.send(Frames.committed(written));
            }
        }));
    }

    private CompletableFuture<Map<TopicPartition, CommittedOffset>> commitAs(Map<TopicPartition, Long> offsets,
            String metadata) {
        try {
            return broker.commitOffsets(new OffsetCommit(membership.groupId(), memberId, memberEpoch, offsets, metadata))
                    .orTimeout(COMMIT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Commits, as auto-commit does: a failure is logged, never the session's end; completes either way. */
    private CompletableFuture<Void> commitQuietly(Map<TopicPartition, Long> offsets) {
        if (offsets.isEmpty() || memberId == null) {
            return CompletableFuture.completedFuture(null);
        }
        Map<TopicPartition, Long> copy = Map.copyOf(offsets);
        return commitAs(copy, "").handle((written, error) -> {
            Throwable cause = error == null ? null : SluiceException.causeOf(error);
            if (cause instanceof TimeoutException) {
                // Not the refusal of a member being moved (those are expected): the coordinator did not answer.
                LOG.log(System.Logger.Level.INFO, "group {0}: an auto-commit got no answer in {1} ms",
                        membership.groupId(), COMMIT_TIMEOUT_MS);
            } else if (cause != null) {
                executor.execute(() -> {
                    LOG.log(lastCommitRefused ? System.Logger.Level.DEBUG : System.Logger.Level.INFO,
                            "group {0}: auto-commit refused: {1}", membership.groupId(), cause.getMessage());
                    lastCommitRefused = true;
                });
            } else {
                executor.execute(() -> {
                    lastCommitRefused = false;
                    autoCommitted.putAll(copy);
                });
            }
            return null;
        });
    }

    private void startAutoCommit() {
        long interval = membership.autoCommitIntervalMs();
        autoCommitTimer = broker.scheduler().scheduleWithFixedDelay(() -> executor.execute(this::autoCommit),
                interval, interval, TimeUnit.MILLISECONDS);
    }

    /** A periodic auto-commit; skipped while the last is unanswered, so a slow coordinator gets no pile of them. */
    private void autoCommit() {
        if (stopped || autoCommitting) {
            return;
        }
        Map<TopicPartition, Long> changed = new HashMap<>(reads.acknowledged());
        changed.entrySet().removeIf(e -> e.getValue().equals(autoCommitted.get(e.getKey())));
        if (changed.isEmpty()) {
            return;
        }
        autoCommitting = true;
        commitQuietly(changed).whenComplete((v, e) -> executor.execute(() -> autoCommitting = false));
    }

    // ---- the end ---------------------------------------------------------------------------------

    /**
     * The client closed cleanly (or the server ended the session): auto-commit what it
     * acknowledged, then leave at once so its partitions move without waiting for its session
     * timeout. Call before the read loop is stopped. Completes once the leave was answered.
     */
    CompletableFuture<Void> leave() {
        if (stopped) {
            return CompletableFuture.completedFuture(null);
        }
        Map<TopicPartition, Long> acknowledged = membership.autoCommit() ? reads.acknowledged() : Map.of();
        String id = memberId;
        CompletableFuture<Void> committed = commitQuietly(acknowledged);
        stop();
        if (id == null) {
            return committed;
        }
        return committed.thenCompose(v -> broker.heartbeat(heartbeatOf(MemberHeartbeat.LEAVE_EPOCH, Set.of()))
                .handle((r, error) -> null));
    }

    /** The socket dropped without a close frame: stop heartbeating and let the session time out. */
    void stop() {
        stopped = true;
        cancel(nextHeartbeat);
        cancel(autoCommitTimer);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static List<TopicPartition> sorted(Set<TopicPartition> partitions) {
        List<TopicPartition> list = new ArrayList<>(partitions);
        list.sort(ORDER);
        return list;
    }
}
