package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.OffsetReset;
import io.sluice.replication.ReplicaManager;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * Turns an {@link OffsetReset} into an offset of one partition, on the partition's leader (whose
 * log start and high watermark are the partition's): earliest is the log start, latest the high
 * watermark, a timestamp the first offset at or after it in the local log (the high watermark when
 * there is none), an offset itself; every result clamped to [log start, high watermark].
 */
final class OffsetResolution {
    static final int EARLIEST = 0;
    static final int LATEST = 1;
    static final int TIMESTAMP = 2;
    static final int OFFSET = 3;

    /** A reset as it travels: its kind and its value (timestamp or offset, else 0). */
    record Query(int kind, long value) {
    }

    record Request(TopicPartition partition, Query query) {
    }

    private final Topics topics;
    private final ReplicaManager replicas;
    private final ExecutorService readPool;

    OffsetResolution(Topics topics, ReplicaManager replicas, ExecutorService readPool) {
        this.topics = topics;
        this.replicas = replicas;
        this.readPool = readPool;
    }

    static Query query(OffsetReset to) {
        if (to == null) {
            throw Broker.invalid("a reset needs a target: earliest, latest, a timestamp or an offset");
        }
        if (to instanceof OffsetReset.ToTimestamp t) {
            return new Query(TIMESTAMP, t.timestampMs());
        }
        if (to instanceof OffsetReset.ToOffset o) {
            return new Query(OFFSET, o.offset());
        }
        return new Query(to instanceof OffsetReset.Latest ? LATEST : EARLIEST, 0);
    }

    static Request readRequest(GroupPayloadReader in) {
        int kind = in.i8();
        long value = in.i64();
        if (kind < EARLIEST || kind > OFFSET) {
            throw GroupPayloads.malformed("reset kind " + kind);
        }
        if (in.count(Short.BYTES + Integer.BYTES) != 1) {
            throw GroupPayloads.malformed("a resolve names exactly one partition");
        }
        return new Request(in.tp(), new Query(kind, value));
    }

    /** Resolves on this broker, which must lead the partition (else NOT_LEADER_OR_FOLLOWER: ask again). */
    CompletableFuture<Long> resolve(TopicPartition tp, Query query) {
        try {
            return CompletableFuture.supplyAsync(() -> resolveNow(tp, query), readPool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.COORDINATOR_NOT_AVAILABLE,
                    "the broker is stopping"));
        }
    }

    private long resolveNow(TopicPartition tp, Query query) {
        Topic t = topics.get(tp.topic());
        t.checkExists(tp.partition());
        if (!t.holds(tp.partition()) || replicas.leaderEpochIfLeading(tp) < 0) {
            throw new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, tp + " is not led by this broker");
        }
        Partition p = t.partition(tp.partition());
        long start = p.logStartOffset();
        long end = p.highWatermark();
        long offset = switch (query.kind()) {
            case EARLIEST -> start;
            case LATEST -> end;
            case TIMESTAMP -> p.log().offsetForTimestamp(query.value());
            default -> query.value();
        };
        return Math.max(start, Math.min(end, offset));
    }
}
