package io.sluice.broker;

import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import io.sluice.log.PartitionLog;
import io.sluice.log.Record;
import io.sluice.log.RecordBatchBuilder;
import io.sluice.log.RecordBatchDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The produce path: checks the request against the limits and every record against its topic
 * (partition, timestamp range, size), encodes one or more batches per partition (each within
 * {@code max.message.bytes}, sized exactly as Kafka sizes them), reserves the partitions'
 * in-flight budgets, and only then hands the batches to the partitions' writers. Every refusal
 * happens before the first append; once one batch is queued the reply accounts for every record
 * (an offset or its partition's error). Encoding runs on the caller's thread so the single writer
 * only stamps offsets and copies bytes.
 */
final class Producer {
    private final Partitioners partitioners;
    private final ProduceLimits limits;
    private final AppendBudgets budgets;
    private final LongSupplier clock;
    private final LogConfig logDefaults;
    private final Appender appender;

    /** Where a partition's batch goes: its leader, here or on another broker. */
    interface Appender {
        CompletableFuture<PartitionLog.AppendInfo> append(TopicPartition partition, ByteBuffer batch, Acks acks);

        /** Whether this broker leads the partition (its local replica takes the batch). */
        boolean leadsLocally(TopicPartition partition);
    }

    Producer(Partitioners partitioners, ProduceLimits limits, LongSupplier clock, LogConfig logDefaults,
            Appender appender) {
        this.partitioners = partitioners;
        this.limits = limits;
        this.budgets = new AppendBudgets(limits.partitionInFlightBytes());
        this.clock = clock;
        this.logDefaults = logDefaults;
        this.appender = appender;
    }

    private record PlannedBatch(int partition, int[] recordIndexes, ByteBuffer bytes) {
    }

    CompletableFuture<List<RecordResult>> produce(Topic topic, List<ProduceRecord> records, Acks acks,
            String partitionerName) {
        if (records.isEmpty()) {
            throw Broker.invalid("a produce request needs at least one record");
        }
        if (records.size() > limits.maxRecordsPerRequest()) {
            throw new SluiceException(ErrorCode.REQUEST_TOO_LARGE, "a produce request may carry at most "
                    + limits.maxRecordsPerRequest() + " records, this one has " + records.size());
        }
        requireKeysIfCompacted(topic, records);
        int count = topic.partitionCount();
        int[] partitionOf = choosePartitions(topic, count, records, partitionerName);
        long[] timestamps = timestamps(topic, records);
        List<PlannedBatch> batches = planBatches(topic, count, records, partitionOf, timestamps);
        for (PlannedBatch b : batches) {
            if (topic.holds(b.partition) && appender.leadsLocally(new TopicPartition(topic.name(), b.partition))) {
                topic.partition(b.partition).checkWritable(); // before anything is written
            }
        }
        Object[] used = new Object[count];
        long[] reserved = new long[count];
        for (PlannedBatch b : batches) {
            used[b.partition] = budgetKey(topic, b.partition);
            reserved[b.partition] += b.bytes.limit();
        }
        for (int p = 0; p < reserved.length; p++) {
            reserved[p] = budgets.reservationFor(reserved[p]);
        }
        int refused = budgets.tryReserveAll(used, reserved);
        if (refused >= 0) {
            throw new SluiceException(ErrorCode.THROTTLED, "partition " + refused + " of topic " + topic.name()
                    + " has " + budgets.inFlightBytes(used[refused]) + " bytes of appends in flight (limit "
                    + limits.partitionInFlightBytes() + "); nothing of this request was written, retry later");
        }
        return append(topic, batches, used, reserved, records.size(), timestamps, acks);
    }

    /** What a partition's in-flight bytes are counted against: its local log, or its forwarding queue. */
    private static Object budgetKey(Topic topic, int partition) {
        return topic.holds(partition) ? topic.partition(partition).log() : topic.forwardingKey(partition);
    }

    /**
     * Sends every batch to its partition's leader. From the first append on nothing may throw: a
     * batch that cannot be sent becomes an error result for its records, so the reply says exactly
     * what was written.
     */
    private CompletableFuture<List<RecordResult>> append(Topic topic, List<PlannedBatch> batches, Object[] keys,
            long[] reserved, int recordCount, long[] timestamps, Acks acks) {
        RecordResult[] results = new RecordResult[recordCount];
        List<List<CompletableFuture<?>>> byPartition = new ArrayList<>(keys.length);
        for (int p = 0; p < keys.length; p++) {
            byPartition.add(new ArrayList<>());
        }
        List<CompletableFuture<Void>> pending = new ArrayList<>(batches.size());
        for (PlannedBatch b : batches) {
            CompletableFuture<PartitionLog.AppendInfo> appended;
            try {
                appended = appender.append(new TopicPartition(topic.name(), b.partition), b.bytes, acks);
            } catch (RuntimeException e) {
                appended = CompletableFuture.failedFuture(e);
            }
            byPartition.get(b.partition).add(appended);
            if (acks == Acks.NONE) {
                for (int i : b.recordIndexes) {
                    results[i] = RecordResult.ok(b.partition, -1, timestamps[i]);
                }
                continue;
            }
            pending.add(appended.handle((info, error) -> {
                for (int k = 0; k < b.recordIndexes.length; k++) {
                    int i = b.recordIndexes[k];
                    results[i] = error == null
                            ? RecordResult.ok(b.partition, info.baseOffset() + k, timestamps[i])
                            : failure(b.partition, error);
                }
                return null;
            }));
        }
        for (int p = 0; p < keys.length; p++) {
            if (keys[p] != null) {
                Object key = keys[p];
                long bytes = reserved[p];
                // Released once every batch of the request is done with, whatever the outcome.
                CompletableFuture.allOf(byPartition.get(p).toArray(CompletableFuture[]::new))
                        .whenComplete((v, e) -> budgets.release(key, bytes));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> Arrays.asList(results));
    }

    private static RecordResult failure(int partition, Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        ErrorCode code = cause instanceof SluiceException s ? s.code() : ErrorCode.STORAGE_ERROR;
        return RecordResult.failed(partition, code, String.valueOf(cause.getMessage()));
    }

    /** A compacted topic keeps the latest record per key: a record without a key has no place in it (as in Kafka). */
    private static void requireKeysIfCompacted(Topic topic, List<ProduceRecord> records) {
        if (!topic.metadata().config().compact()) {
            return;
        }
        for (int i = 0; i < records.size(); i++) {
            if (records.get(i).key() == null) {
                throw Broker.invalid("record " + i + " has no key, but topic '" + topic.name() + "' is compacted ("
                        + TopicConfig.CLEANUP_POLICY + "=" + topic.metadata().config().overrides()
                        .get(TopicConfig.CLEANUP_POLICY) + "): every record needs a key; nothing was written");
            }
        }
    }

    /**
     * Each record's timestamp: its own, or now. As Kafka's KIP-937, one too far behind or ahead of
     * the broker's clock is refused: a timestamp years ahead would hold its segment past retention.
     */
    private long[] timestamps(Topic topic, List<ProduceRecord> records) {
        long now = clock.getAsLong();
        TopicConfig config = topic.metadata().config();
        long beforeMax = config.messageTimestampBeforeMaxMs();
        long afterMax = config.messageTimestampAfterMaxMs();
        long[] timestamps = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Long ts = records.get(i).timestamp();
            if (ts == null) {
                timestamps[i] = now;
                continue;
            }
            if (ts < 0) {
                throw Broker.invalid("record " + i + ": timestamp must be >= 0, was " + ts);
            }
            if (now - ts > beforeMax) {
                throw Broker.invalid("record " + i + ": timestamp " + ts + " is more than "
                        + TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS + "=" + beforeMax + " ms before the broker's"
                        + " time " + now);
            }
            if (ts - now > afterMax) {
                throw Broker.invalid("record " + i + ": timestamp " + ts + " is more than "
                        + TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS + "=" + afterMax + " ms after the broker's"
                        + " time " + now);
            }
            timestamps[i] = ts;
        }
        return timestamps;
    }

    private int[] choosePartitions(Topic topic, int partitionCount, List<ProduceRecord> records,
            String partitionerName) {
        String name = partitionerName != null ? partitionerName : topic.metadata().config().partitioner();
        Partitioner custom = name == null ? null : partitioners.require(name);
        int[] partitionOf = new int[records.size()];
        for (int i = 0; i < records.size(); i++) {
            ProduceRecord r = records.get(i);
            int p;
            if (r.partition() != null) {
                p = r.partition();
            } else if (custom != null) {
                p = custom.partition(topic.name(), r.key(), r.value(), partitionCount);
                if (p < 0 || p >= partitionCount) {
                    throw new SluiceException(ErrorCode.INVALID_REQUEST, "partitioner '" + name + "' chose partition "
                            + p + " of " + partitionCount + " for record " + i);
                }
            } else if (r.key() != null) {
                p = Murmur2.partitionFor(r.key(), partitionCount);
            } else {
                p = topic.nextRoundRobin(partitionCount);
            }
            if (p < 0 || p >= partitionCount) {
                throw new SluiceException(ErrorCode.PARTITION_NOT_FOUND, "record " + i + ": topic " + topic.name()
                        + " has no partition " + p + " (partitions: " + partitionCount + ")");
            }
            partitionOf[i] = p;
        }
        return partitionOf;
    }

    /**
     * Groups records by partition, in request order, into batches of at most max.message.bytes.
     * Sizes are exact (Kafka's rule: the whole batch, log overhead included, must fit), so a record
     * whose batch is exactly max.message.bytes is taken and one byte more is refused.
     */
    private List<PlannedBatch> planBatches(Topic topic, int partitionCount, List<ProduceRecord> records,
            int[] partitionOf, long[] timestamps) {
        int[][] byPartition = groupByPartition(partitionCount, partitionOf);
        int max = topic.metadata().config().toLogConfig(logDefaults).maxMessageBytes();
        List<PlannedBatch> batches = new ArrayList<>();
        for (int p = 0; p < byPartition.length; p++) {
            int[] indexes = byPartition[p];
            if (indexes.length == 0) {
                continue;
            }
            int start = 0;
            long size = RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;
            for (int k = 0; k < indexes.length; k++) {
                int i = indexes[k];
                long recordSize = sizeInBatch(records.get(i), k - start, timestamps[i] - timestamps[indexes[start]]);
                if (size + recordSize > max && k > start) {
                    batches.add(encode(p, Arrays.copyOfRange(indexes, start, k), records, timestamps));
                    start = k;
                    size = RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;
                    recordSize = sizeInBatch(records.get(i), 0, 0);
                }
                if (size + recordSize > max) {
                    throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "record " + i + " needs a batch of "
                            + (size + recordSize) + " bytes; topic " + topic.name()
                            + " allows batches of max.message.bytes=" + max);
                }
                size += recordSize;
            }
            batches.add(encode(p, Arrays.copyOfRange(indexes, start, indexes.length), records, timestamps));
        }
        return batches;
    }

    /** Record indexes per partition, each in request order. */
    private static int[][] groupByPartition(int partitionCount, int[] partitionOf) {
        int[] counts = new int[partitionCount];
        for (int p : partitionOf) {
            counts[p]++;
        }
        int[][] byPartition = new int[partitionCount][];
        for (int p = 0; p < partitionCount; p++) {
            byPartition[p] = new int[counts[p]];
            counts[p] = 0;
        }
        for (int i = 0; i < partitionOf.length; i++) {
            int p = partitionOf[i];
            byPartition[p][counts[p]++] = i;
        }
        return byPartition;
    }

    private static long sizeInBatch(ProduceRecord r, int offsetDelta, long timestampDelta) {
        return RecordBatchBuilder.sizeInBatch(r.key(), r.value(), r.headers() == null ? List.of() : r.headers(),
                offsetDelta, timestampDelta);
    }

    private static PlannedBatch encode(int partition, int[] indexes, List<ProduceRecord> records, long[] timestamps) {
        List<Record> batch = new ArrayList<>(indexes.length);
        for (int i : indexes) {
            ProduceRecord r = records.get(i);
            batch.add(new Record(r.key(), r.value(), timestamps[i], r.headers()));
        }
        return new PlannedBatch(partition, indexes, RecordBatchBuilder.build(batch));
    }
}
