package io.sluice.broker;

import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.OffsetsTopic;
import io.sluice.replication.Messages;
import io.sluice.replication.Messages.GroupRequest;
import io.sluice.replication.Messages.GroupResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Takes a group operation to where it is served: the group's coordinator (the leader of its
 * {@code __consumer_offsets} partition, from the partition states every broker holds) or a
 * partition's leader, called in place when that is this broker and sent as a {@code GROUP} frame
 * otherwise. While the leader moves (no leader, a leader still replaying, a connection that broke)
 * the operation is tried again a bounded number of times with a growing, short backoff on the
 * scheduler, then fails with COORDINATOR_NOT_AVAILABLE.
 */
final class GroupRouting {
    static final int MAX_ATTEMPTS = 20;
    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 500;

    /** One operation: its wire form (encoded only when it is sent), how it runs here, how its reply reads. */
    record Op<T>(int code, String groupId, Supplier<ByteBuffer> payload, Supplier<CompletableFuture<T>> local,
            Function<ByteBuffer, T> decode) {
    }

    /** Sends a {@code GROUP} request to another broker. */
    interface Sender {
        CompletableFuture<GroupResponse> send(int brokerId, GroupRequest request);
    }

    private final int localId;
    private final MetadataStore store;
    private final Sender sender;
    private final ScheduledExecutorService scheduler;
    private final int timeoutMs;

    GroupRouting(int localId, MetadataStore store, Sender sender, ScheduledExecutorService scheduler,
            long timeoutMs) {
        this.localId = localId;
        this.store = store;
        this.sender = sender;
        this.scheduler = scheduler;
        this.timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeoutMs);
    }

    /** The coordinator's broker id right now, or -1 when the group's offsets partition has no leader. */
    int coordinatorOf(String groupId) {
        return leaderOf(new TopicPartition(OffsetsTopic.NAME, GroupCoordinator.partitionFor(groupId)));
    }

    int leaderOf(TopicPartition tp) {
        return store.partition(tp).filter(PartitionState::hasLeader).map(PartitionState::leader).orElse(-1);
    }

    /** Runs {@code op} on the group's coordinator. */
    <T> CompletableFuture<T> toCoordinator(Op<T> op) {
        TopicPartition tp = new TopicPartition(OffsetsTopic.NAME, GroupCoordinator.partitionFor(op.groupId()));
        return retrying(() -> once(tp, op), "the coordinator of group " + op.groupId());
    }

    /** Runs {@code op} on the leader of {@code tp}. */
    <T> CompletableFuture<T> toLeader(TopicPartition tp, Op<T> op) {
        return retrying(() -> once(tp, op), "the leader of " + tp);
    }

    /** Runs {@code op} on broker {@code brokerId} once (no retry): for questions every broker is asked. */
    <T> CompletableFuture<T> toBroker(int brokerId, Op<T> op) {
        if (brokerId == localId) {
            return callLocal(op);
        }
        try {
            return forward(brokerId, op);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> once(TopicPartition tp, Op<T> op) {
        int leader = leaderOf(tp);
        if (leader < 0) {
            throw new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, tp + " has no leader yet");
        }
        return toBroker(leader, op);
    }

    private static <T> CompletableFuture<T> callLocal(Op<T> op) {
        try {
            CompletableFuture<T> f = op.local().get();
            return f != null ? f : CompletableFuture.failedFuture(new IllegalStateException("no future"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> CompletableFuture<T> forward(int brokerId, Op<T> op) {
        GroupRequest request = new GroupRequest(op.code(), op.groupId(), timeoutMs, op.payload().get());
        return sender.send(brokerId, request).thenApply(reply -> {
            if (reply.error() != null) {
                throw remoteError(reply.error());
            }
            return op.decode().apply(reply.payload());
        });
    }

    static SluiceException remoteError(Messages.Error error) {
        return new SluiceException(ErrorCode.fromPeer(error.code()), error.message());
    }

    private <T> CompletableFuture<T> retrying(Supplier<CompletableFuture<T>> attempt, String target) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tryOnce(attempt, target, 0, result);
        return result;
    }

    private <T> void tryOnce(Supplier<CompletableFuture<T>> attempt, String target, int n,
            CompletableFuture<T> result) {
        CompletableFuture<T> f;
        try {
            f = attempt.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, e) -> {
            if (e == null) {
                result.complete(v);
                return;
            }
            Throwable cause = SluiceException.causeOf(e);
            if (!retriable(cause)) {
                result.completeExceptionally(cause);
                return;
            }
            if (n + 1 >= MAX_ATTEMPTS) {
                result.completeExceptionally(new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE, target
                        + " is not available after " + MAX_ATTEMPTS + " attempts: " + cause.getMessage(), cause));
                return;
            }
            long backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(n, 10));
            try {
                scheduler.schedule(() -> tryOnce(attempt, target, n + 1, result), backoff, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                result.completeExceptionally(new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE,
                        "the broker is stopping"));
            }
        });
    }

    /**
     * Refusals that say the target moved or is not ready: another try may find it. A connection
     * lost mid-request is retried too: every group operation may be repeated (a commit writes the
     * same offsets again; a heartbeat to a coordinator that lost the member is refused).
     */
    static boolean retriable(Throwable cause) {
        return cause instanceof SluiceException s && (s.code() == ErrorCode.NOT_COORDINATOR
                || s.code() == ErrorCode.COORDINATOR_NOT_AVAILABLE || s.code() == ErrorCode.LEADER_NOT_AVAILABLE
                || s.code() == ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
}
