package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.group.OffsetsTopic;
import io.sluice.log.LogRecord;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.ReadResult;
import io.sluice.log.Record;
import io.sluice.log.RecordBatchBuilder;
import io.sluice.replication.ReplicaManager;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code __consumer_offsets} as the group coordinator uses it, over this broker's own replicas:
 * appends go to the local leader with {@code acks=all} (the leader append a produce takes, never
 * forwarded: a coordinator writes only the partitions it leads), and a replay reads the local log.
 */
final class OffsetsPartitions implements OffsetsTopic {
    /** Bytes read per step of a replay. */
    private static final int REPLAY_READ_BYTES = 1 << 20;
    private static final int REPLAY_READ_RECORDS = 10_000;

    private final Topics topics;
    private final ReplicaManager replicas;
    private final ExecutorService readPool;
    private final LongSupplier clock;

    OffsetsPartitions(Topics topics, ReplicaManager replicas, ExecutorService readPool, LongSupplier clock) {
        this.topics = topics;
        this.replicas = replicas;
        this.readPool = readPool;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<Entry> entries) {
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        TopicPartition tp = new TopicPartition(NAME, partition);
        try {
            Partition p = local(tp);
            long now = clock.getAsLong();
            List<Record> records = new ArrayList<>(entries.size());
            for (Entry e : entries) {
                records.add(new Record(e.key(), e.value(), now, List.of()));
            }
            ByteBuffer batch = RecordBatchBuilder.build(records);
            int max = p.log().config().maxMessageBytes();
            if (batch.remaining() > max) {
                throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "a batch of " + entries.size() + " group records"
                        + " is " + batch.remaining() + " bytes; " + NAME + " takes at most max.message.bytes=" + max);
            }
            return replicas.appendAsLeader(tp, batch, true).thenApply(info -> null);
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Waits until everything in the local log when the replay starts is committed (a new leader may
     * hold records the old leader acknowledged but whose high watermark it has not learnt yet: a
     * replay that stopped at the high watermark would lose those commits), then reads from the log
     * start to that end. Offsets may have gaps (compaction): the reader's next offset is followed.
     */
    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<Entry> sink) {
        TopicPartition tp = new TopicPartition(NAME, partition);
        try {
            Partition p = local(tp);
            PartitionLog log = p.log();
            long end = log.logEndOffset();
            return log.awaitHighWatermark(end).thenComposeAsync(v -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                readPool.execute(() -> readStep(p, p.logStartOffset(), end, sink, done));
                return done;
            }, readPool);
        } catch (SluiceException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One read per task, so a long replay does not hold a read thread against every other reader. */
    private void readStep(Partition p, long offset, long end, Consumer<Entry> sink, CompletableFuture<Void> done) {
        try {
            if (offset >= end) {
                done.complete(null);
                return;
            }
            if (replicas.leaderEpochIfLeading(new TopicPartition(NAME, p.id())) < 0) {
                throw notLeader(p.id());
            }
            long from = Math.max(offset, p.logStartOffset()); // retention or compaction may have moved the start
            ReadResult read = p.read(from, REPLAY_READ_BYTES, REPLAY_READ_RECORDS).join();
            long next = from;
            for (LogRecord r : read.records()) {
                if (r.offset() >= end) {
                    break;
                }
                if (r.offset() >= from) {
                    sink.accept(new Entry(r.key(), r.value()));
                }
                next = r.offset() + 1;
            }
            next = Math.max(next, Math.min(read.nextOffset(), end));
            if (next <= from) {
                throw new SluiceException(ErrorCode.STORAGE_ERROR, NAME + "-" + p.id() + ": the replay found nothing "
                        + "to read at offset " + from + " below " + end);
            }
            long at = next;
            readPool.execute(() -> readStep(p, at, end, sink, done));
        } catch (RuntimeException e) {
            done.completeExceptionally(SluiceException.causeOf(e));
        }
    }

    private Partition local(TopicPartition tp) {
        Topic t = topics.find(NAME);
        if (t == null || !t.holds(tp.partition()) || replicas.leaderEpochIfLeading(tp) < 0) {
            throw notLeader(tp.partition());
        }
        return t.partition(tp.partition());
    }

    private static SluiceException notLeader(int partition) {
        return new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER, NAME + "-" + partition + " is not led by this broker");
    }
}
