package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Header;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.Durability;
import io.sluice.log.Record;
import io.sluice.log.RecordBatchBuilder;
import io.sluice.log.RecordBatchDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The produce path: picks each record's partition, encodes one or more batches per partition
 * (each within the topic's {@code max.message.bytes}), and only when the whole request is valid
 * hands the batches to the partitions' writers. Encoding runs on the caller's thread so the
 * single writer only stamps offsets and copies bytes.
 */
final class Producer {
    /** Upper bound of a record's framing in a batch: varints for length, deltas and sizes, attributes. */
    private static final int RECORD_FRAMING_BOUND = 5 + 1 + 10 + 5 + 5 + 5 + 5;
    private static final int HEADER_FRAMING_BOUND = 10;

    private final Partitioners partitioners;

    Producer(Partitioners partitioners) {
        this.partitioners = partitioners;
    }

    private record PlannedBatch(int partition, int[] recordIndexes, ByteBuffer bytes) {
    }

    CompletableFuture<List<RecordResult>> produce(Topic topic, List<ProduceRecord> records, Acks acks,
            String partitionerName) {
        if (records.isEmpty()) {
            throw Broker.invalid("a produce request needs at least one record");
        }
        List<PartitionLog> logs = topic.logs();
        int[] partitionOf = choosePartitions(topic, logs.size(), records, partitionerName);
        long now = System.currentTimeMillis();
        long[] timestamps = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            Long ts = records.get(i).timestamp();
            if (ts != null && ts < 0) {
                throw Broker.invalid("record " + i + ": timestamp must be >= 0, was " + ts);
            }
            timestamps[i] = ts == null ? now : ts;
        }
        List<PlannedBatch> batches = planBatches(topic, logs, records, partitionOf, timestamps);
        for (PlannedBatch b : batches) {
            topic.partition(b.partition).checkWritable(); // before anything is written
        }

        RecordResult[] results = new RecordResult[records.size()];
        Durability durability = acks == Acks.ALL ? Durability.FLUSHED : Durability.WRITTEN;
        List<CompletableFuture<Void>> pending = new ArrayList<>(batches.size());
        for (PlannedBatch b : batches) {
            CompletableFuture<PartitionLog.AppendInfo> appended = logs.get(b.partition).append(b.bytes, durability);
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
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> Arrays.asList(results));
    }

    private static RecordResult failure(int partition, Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        ErrorCode code = cause instanceof SluiceException s ? s.code() : ErrorCode.STORAGE_ERROR;
        return RecordResult.failed(partition, code, String.valueOf(cause.getMessage()));
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

    /** Groups records by partition, in request order, into batches no larger than max.message.bytes. */
    private static List<PlannedBatch> planBatches(Topic topic, List<PartitionLog> logs, List<ProduceRecord> records,
            int[] partitionOf, long[] timestamps) {
        List<List<Integer>> byPartition = new ArrayList<>();
        for (int p = 0; p < logs.size(); p++) {
            byPartition.add(null);
        }
        for (int i = 0; i < records.size(); i++) {
            List<Integer> list = byPartition.get(partitionOf[i]);
            if (list == null) {
                list = new ArrayList<>();
                byPartition.set(partitionOf[i], list);
            }
            list.add(i);
        }
        List<PlannedBatch> batches = new ArrayList<>();
        for (int p = 0; p < byPartition.size(); p++) {
            List<Integer> indexes = byPartition.get(p);
            if (indexes == null) {
                continue;
            }
            int max = logs.get(p).config().maxMessageBytes();
            List<Integer> current = new ArrayList<>();
            long currentSize = RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;
            for (int i : indexes) {
                long size = sizeBound(records.get(i));
                if (RecordBatchDescriptor.RECORD_BATCH_OVERHEAD + size > max) {
                    throw new SluiceException(ErrorCode.RECORD_TOO_LARGE, "record " + i + " takes about " + size
                            + " bytes; topic " + topic.name() + " allows batches of max.message.bytes=" + max);
                }
                if (currentSize + size > max && !current.isEmpty()) {
                    batches.add(encode(p, current, records, timestamps));
                    current = new ArrayList<>();
                    currentSize = RecordBatchDescriptor.RECORD_BATCH_OVERHEAD;
                }
                current.add(i);
                currentSize += size;
            }
            batches.add(encode(p, current, records, timestamps));
        }
        return batches;
    }

    private static long sizeBound(ProduceRecord r) {
        long size = RECORD_FRAMING_BOUND + length(r.key()) + length(r.value());
        if (r.headers() != null) {
            for (Header h : r.headers()) {
                size += HEADER_FRAMING_BOUND + 3L * h.key().length() + length(h.value());
            }
        }
        return size;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }

    private static PlannedBatch encode(int partition, List<Integer> indexes, List<ProduceRecord> records,
            long[] timestamps) {
        List<Record> batch = new ArrayList<>(indexes.size());
        int[] idx = new int[indexes.size()];
        for (int k = 0; k < idx.length; k++) {
            int i = indexes.get(k);
            idx[k] = i;
            ProduceRecord r = records.get(i);
            batch.add(new Record(r.key(), r.value(), timestamps[i], r.headers()));
        }
        return new PlannedBatch(partition, idx, RecordBatchBuilder.build(batch));
    }
}
