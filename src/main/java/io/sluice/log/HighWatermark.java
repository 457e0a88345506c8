package io.sluice.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The high watermark of one partition's log: the end of what readers may see, as a point in the
 * files ({@link RecoveryPoint}) so a reader stops at a batch boundary without a lookup.
 *
 * <p>Automatic (the default, one replica): it follows the durable end. Managed ({@link #manage}):
 * replication sets it ({@link #update}) to what the in-sync replicas hold; it is still clipped to
 * this log's durable end and to its batch boundaries. For that the writer reports where each batch
 * above the watermark ends ({@link #written}); those points are kept until the watermark passes
 * them, so the tail map holds only the batches not yet committed.
 *
 * <p>It only rises, except when the log is truncated below it. Waiters ({@link #await}) complete
 * when it reaches their offset. Futures are completed outside the lock: their callbacks may run
 * on the completing thread.
 */
final class HighWatermark {
    private final Runnable onAdvance;
    private volatile RecoveryPoint visible;
    private volatile boolean managed;
    private RecoveryPoint durable;
    /** Managed: the watermark replication asked for, before clipping. */
    private long requested;
    /** Managed: the batch ends above the watermark, by their next offset. */
    private final NavigableMap<Long, RecoveryPoint> tail = new TreeMap<>();
    private final NavigableMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();

    /** @param onAdvance told (outside the lock) each time the watermark rises: wakes parked readers */
    HighWatermark(RecoveryPoint start, Runnable onAdvance) {
        this.visible = start;
        this.durable = start;
        this.requested = start.nextOffset();
        this.onAdvance = onAdvance;
    }

    RecoveryPoint visible() {
        return visible;
    }

    long value() {
        return visible.nextOffset();
    }

    boolean managed() {
        return managed;
    }

    /**
     * Hands the watermark to replication, starting at {@code start} (at or below the durable end),
     * with the batch ends above it.
     */
    void manage(RecoveryPoint start, List<RecoveryPoint> batchEnds) {
        synchronized (this) {
            managed = true;
            tail.clear();
            batchEnds.forEach(p -> tail.put(p.nextOffset(), p));
            visible = start;
            requested = start.nextOffset();
        }
        onAdvance.run();
    }

    /** Writer: batches were written; each ends at one of {@code batchEnds} (managed mode only). */
    void written(List<RecoveryPoint> batchEnds) {
        synchronized (this) {
            batchEnds.forEach(p -> tail.put(p.nextOffset(), p));
        }
    }

    /** Writer: {@code point} is durable. Automatic: the watermark follows; managed: it may now rise to it. */
    void durable(RecoveryPoint point) {
        long before = visible.nextOffset();
        List<CompletableFuture<Void>> due;
        synchronized (this) {
            if (point.nextOffset() <= durable.nextOffset()) {
                return;
            }
            durable = point;
            if (managed) {
                tail.putIfAbsent(point.nextOffset(), point);
                due = clip();
            } else {
                due = advanceTo(point);
            }
        }
        complete(due, before);
    }

    /** Managed: replication's new watermark; a lower one than asked before is ignored. */
    void update(long hw) {
        long before = visible.nextOffset();
        List<CompletableFuture<Void>> due;
        synchronized (this) {
            if (!managed) {
                throw new IllegalStateException("the high watermark follows the durable end until manage() is called");
            }
            requested = Math.max(requested, hw);
            due = clip();
        }
        complete(due, before);
    }

    /** The highest batch boundary at or below both the requested watermark and the durable end. */
    private List<CompletableFuture<Void>> clip() {
        long target = Math.min(requested, durable.nextOffset());
        Map.Entry<Long, RecoveryPoint> at = tail.floorEntry(target);
        if (at == null || at.getKey() <= visible.nextOffset()) {
            return List.of();
        }
        return advanceTo(at.getValue());
    }

    private List<CompletableFuture<Void>> advanceTo(RecoveryPoint point) {
        if (point.nextOffset() <= visible.nextOffset()) {
            return List.of();
        }
        visible = point;
        tail.headMap(point.nextOffset(), true).clear();
        List<CompletableFuture<Void>> due = new ArrayList<>();
        NavigableMap<Long, List<CompletableFuture<Void>>> reached = waiters.headMap(point.nextOffset(), true);
        reached.values().forEach(due::addAll);
        reached.clear();
        return due;
    }

    /** Outside the lock: completes the waiters the watermark reached and wakes readers if it rose. */
    private void complete(List<CompletableFuture<Void>> due, long before) {
        due.forEach(f -> f.complete(null));
        if (visible.nextOffset() > before) {
            onAdvance.run();
        }
    }

    /**
     * Writer: the log was cut at {@code end}. The watermark, the durable end and the requested
     * watermark come down to it when they were above; batch ends past it are forgotten.
     */
    synchronized void truncated(RecoveryPoint end) {
        tail.tailMap(end.nextOffset(), false).clear();
        if (durable.nextOffset() > end.nextOffset()) {
            durable = end;
        }
        requested = Math.min(requested, end.nextOffset());
        if (visible.nextOffset() > end.nextOffset()) {
            visible = end;
        }
    }

    /** Writer: the log was emptied to start again at {@code start}. */
    synchronized void reset(RecoveryPoint start) {
        tail.clear();
        durable = start;
        visible = start;
        requested = start.nextOffset();
    }

    /** Completes when the watermark reaches {@code offset} (at once if it has). */
    CompletableFuture<Void> await(long offset) {
        synchronized (this) {
            if (visible.nextOffset() < offset) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                waiters.computeIfAbsent(offset, o -> new ArrayList<>()).add(f);
                return f;
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Fails every waiter with {@code why}: leadership was lost, or the log closed or failed. */
    void failWaiters(Supplier<? extends RuntimeException> why) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (this) {
            waiters.values().forEach(all::addAll);
            waiters.clear();
        }
        if (!all.isEmpty()) {
            RuntimeException e = why.get();
            all.forEach(f -> f.completeExceptionally(e));
        }
    }

    synchronized int waiting() {
        int n = 0;
        for (List<CompletableFuture<Void>> w : waiters.values()) {
            n += w.size();
        }
        return n;
    }
}
