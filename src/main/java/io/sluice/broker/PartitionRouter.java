package io.sluice.broker;

import io.sluice.broker.ReplicationClients.Purpose;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.PartitionLog.AppendInfo;
import io.sluice.replication.Messages;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.ReplicaManager;
import io.sluice.replication.ReplicationException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends a partition's appends and reads to its leader: this broker's replica when it leads, else
 * the leader's inter-broker listener. Clients never need to know where a leader is.
 *
 * <p>While leadership moves (no leader yet, or a leader that does not know it leads yet) a request
 * is retried until its deadline; only refusals that say nothing was written are retried, never a
 * forwarded produce whose outcome is unknown (the connection dropped after it was sent).
 */
final class PartitionRouter implements Producer.Appender {
    private static final long RETRY_BACKOFF_MS = 25;
    /** How long an append or read waits for a partition to have a leader it can reach. */
    static final long LEADER_WAIT_MS = 10_000;

    private final int localId;
    private final MetadataStore store;
    private final ReplicaManager replicas;
    private final ReplicationClients clients;
    private final ScheduledExecutorService scheduler;
    private final long ackTimeoutMs;
    private final AtomicLong forwardedProduces = new AtomicLong();
    private final AtomicLong forwardedReads = new AtomicLong();

    /** @param clients to other brokers; null for a broker alone */
    PartitionRouter(int localId, MetadataStore store, ReplicaManager replicas, ReplicationClients clients,
            ScheduledExecutorService scheduler, long ackTimeoutMs) {
        this.localId = localId;
        this.store = store;
        this.replicas = replicas;
        this.clients = clients;
        this.scheduler = scheduler;
        this.ackTimeoutMs = ackTimeoutMs;
    }

    long forwardedProduces() {
        return forwardedProduces.get();
    }

    long forwardedReads() {
        return forwardedReads.get();
    }

    Optional<PartitionState> state(TopicPartition tp) {
        return store.partition(tp);
    }

    long maxFollowerLag(TopicPartition tp) {
        return replicas.followerLag(tp).values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Override
    public boolean leadsLocally(TopicPartition tp) {
        return replicas.leaderEpochIfLeading(tp) >= 0;
    }

    /** Appends {@code batch} on the partition's leader, per {@code acks}. */
    @Override
    public CompletableFuture<AppendInfo> append(TopicPartition tp, ByteBuffer batch, Acks acks) {
        long deadline = System.currentTimeMillis() + LEADER_WAIT_MS;
        return retrying(deadline, () -> {
            if (leadsLocally(tp)) {
                return replicas.appendAsLeader(tp, batch, acks == Acks.ALL);
            }
            int leader = leaderElsewhere(tp);
            forwardedProduces.incrementAndGet();
            int acksCode = switch (acks) {
                case NONE -> 0;
                case LEADER -> 1;
                case ALL -> -1;
            };
            ProduceRequest forwarded = new ProduceRequest(tp, acksCode, (int) ackTimeoutMs, batch.duplicate());
            return clients.get(leader, Purpose.PRODUCE).produce(forwarded)
                    .thenApply(reply -> {
                        throwIfError(reply.error());
                        return new AppendInfo(reply.baseOffset(), reply.lastOffset());
                    });
        });
    }

    /** Reads on the partition's leader elsewhere (long-polling up to {@code timeoutMs} there). */
    CompletableFuture<Messages.ReadResponse> readRemote(TopicPartition tp, long offset, int maxBytes, int maxRecords,
            long timeoutMs) {
        long deadline = System.currentTimeMillis() + Math.max(LEADER_WAIT_MS, timeoutMs);
        return retrying(deadline, () -> {
            int leader = leaderElsewhere(tp);
            forwardedReads.incrementAndGet();
            ReadRequest forwarded = new ReadRequest(tp, offset, maxBytes, maxRecords, (int) timeoutMs);
            return clients.get(leader, Purpose.READ).read(forwarded)
                    .thenApply(reply -> {
                        throwIfError(reply.error());
                        return reply;
                    });
        });
    }

    /**
     * The leader's id when it is another broker. Throws a retriable refusal while there is none,
     * or while this broker is named leader but has not taken the role yet.
     */
    private int leaderElsewhere(TopicPartition tp) {
        PartitionState state = store.partition(tp).orElseThrow(() -> new SluiceException(
                ErrorCode.LEADER_NOT_AVAILABLE, tp + " has no leader yet"));
        if (!state.hasLeader()) {
            throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, tp + " has no leader: no in-sync replica is alive");
        }
        if (state.leader() == localId || clients == null) {
            throw new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, tp + ": this broker is taking leadership");
        }
        return state.leader();
    }

    private static void throwIfError(Messages.Error error) {
        if (error != null) {
            throw GroupRouting.remoteError(error);
        }
    }

    private <T> CompletableFuture<T> retrying(long deadline, Supplier<CompletableFuture<T>> attempt) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tryOnce(deadline, attempt, result);
        return result;
    }

    private <T> void tryOnce(long deadline, Supplier<CompletableFuture<T>> attempt, CompletableFuture<T> result) {
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
            if (retriable(cause) && System.currentTimeMillis() + RETRY_BACKOFF_MS < deadline) {
                scheduler.schedule(() -> tryOnce(deadline, attempt, result), RETRY_BACKOFF_MS, TimeUnit.MILLISECONDS);
            } else {
                result.completeExceptionally(cause);
            }
        });
    }

    /** Refusals that mean nothing was written and another try may find the leader. */
    private static boolean retriable(Throwable cause) {
        if (cause instanceof ReplicationException r && r.outcomeUnknown()) {
            return false;
        }
        return cause instanceof SluiceException s && (s.code() == ErrorCode.NOT_LEADER_OR_FOLLOWER
                || s.code() == ErrorCode.LEADER_NOT_AVAILABLE || s.code() == ErrorCode.FENCED_LEADER_EPOCH);
    }
}
