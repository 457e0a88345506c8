package io.sluice.broker;

import io.sluice.log.PartitionLog;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Each partition's budget of encoded bytes in flight: queued for its single writer or being
 * written, reserved before {@link PartitionLog#append} and released when the append's future
 * completes. A partition's append queue is otherwise unbounded, and {@code acks=0} answers before
 * the append, so without this a fast producer could queue the heap full behind a slow disk.
 * <p>
 * A request reserves what it needs on every partition it writes to, or nothing: a refusal leaves
 * no batch of it queued. A request that alone needs more than a partition's whole budget reserves
 * the whole budget, so it waits for the partition to drain instead of being refused for ever.
 * Budgets are keyed weakly by log (or, for a partition led elsewhere, by its topic's forwarding key), so a
 * deleted topic's budgets go with it.
 */
final class AppendBudgets {
    private final long perPartitionBytes;
    private final Map<Object, MemoryBudget> budgets = Collections.synchronizedMap(new WeakHashMap<>());

    AppendBudgets(long perPartitionBytes) {
        this.perPartitionBytes = perPartitionBytes;
    }

    private MemoryBudget of(Object partition) {
        return budgets.computeIfAbsent(partition, l -> new MemoryBudget("in-flight appends of "
                + (l instanceof PartitionLog log ? log.name() : "a partition led elsewhere"), perPartitionBytes));
    }

    /** The bytes a request that queues {@code bytes} on one partition reserves there. */
    long reservationFor(long bytes) {
        return Math.min(bytes, perPartitionBytes);
    }

    /** Reserves {@code bytes[p]} on {@code logs[p]} for every p, or nothing; the index refused, or -1. */
    int tryReserveAll(Object[] logs, long[] bytes) {
        for (int p = 0; p < logs.length; p++) {
            if (logs[p] != null && !of(logs[p]).tryReserve(bytes[p])) {
                for (int q = 0; q < p; q++) {
                    if (logs[q] != null) {
                        of(logs[q]).release(bytes[q]);
                    }
                }
                return p;
            }
        }
        return -1;
    }

    void release(Object log, long bytes) {
        of(log).release(bytes);
    }

    /** Bytes now reserved on {@code log}, for tests and metrics. */
    long inFlightBytes(Object log) {
        return of(log).usedBytes();
    }
}
