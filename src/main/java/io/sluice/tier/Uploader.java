package io.sluice.tier;

import io.sluice.error.SluiceException;
import io.sluice.log.ClosedSegment;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Copies closed segments to the object store. A partition's segments upload their data up to
 * {@link #PER_PARTITION_IN_FLIGHT} at a time, but each commits (its {@code .meta} object) only
 * after its predecessor committed, so a partition's remote view never has a hole; at most
 * {@code concurrency} uploads run at once across partitions. A failed upload is retried with
 * exponential backoff and full jitter, forever: the local disk holds the backlog while the store
 * is away (DESIGN invariant 5). Keys are a function of the segment, so a retry overwrites rather
 * than duplicates.
 *
 * <p>Only when the store confirmed a segment's commit is it added to the {@link RemoteLog}, which
 * is what allows the local copy to be deleted (invariant 4).
 */
public final class Uploader {
    private static final System.Logger LOG = System.getLogger(Uploader.class.getName());
    static final long BASE_BACKOFF_MS = 200;
    static final long MAX_BACKOFF_MS = 30_000;
    static final int PER_PARTITION_IN_FLIGHT = 3;
    /** One broker, no leadership changes yet: every segment is written under epoch 0. */
    private static final int EPOCH = 0;

    /** A partition's segments: waiting (by base offset) and in flight, and its chain of commits. */
    private static final class Lane {
        final RemoteLog remote;
        final TreeMap<Long, ClosedSegment> pending = new TreeMap<>();
        final Set<Long> inFlight = new HashSet<>();
        /** The commit of the last segment started; the next commits after it. */
        CompletableFuture<Void> commitTail = CompletableFuture.completedFuture(null);
        boolean backingOff;
        boolean cancelled;
        int failures;

        Lane(RemoteLog remote) {
            this.remote = remote;
        }

        boolean canStart(int limit) {
            return !cancelled && !backingOff && !pending.isEmpty() && inFlight.size() < limit
                    && !commitTail.isCompletedExceptionally();
        }
    }

    private final ObjectStore store;
    private final TierLayout layout;
    private final ScheduledExecutorService scheduler;
    private final Executor work;
    private final LongSupplier clock;
    private final int concurrency;
    private final Map<RemoteLog, Lane> lanes = new HashMap<>();
    private final Deque<Lane> waiting = new ArrayDeque<>();
    private int running;
    private long backlogBytes;
    private int backlogSegments;
    private long uploadedBytes;
    private long failedAttempts;

    /**
     * @param work runs the blocking part of starting an upload (checksumming the files), never on
     *             the caller's thread: segments are enqueued from a log's writer
     */
    public Uploader(ObjectStore store, TierLayout layout, ScheduledExecutorService scheduler, Executor work,
            LongSupplier clock, int concurrency) {
        this.store = store;
        this.layout = layout;
        this.scheduler = scheduler;
        this.work = work;
        this.clock = clock;
        this.concurrency = concurrency;
    }

    /** Queues a closed segment; ignored if the remote log already has it or it is queued. */
    public synchronized void enqueue(RemoteLog remote, ClosedSegment segment) {
        if (remote.isUploaded(segment.baseOffset())) {
            return;
        }
        Lane lane = lanes.computeIfAbsent(remote, Lane::new);
        long base = segment.baseOffset();
        if (lane.cancelled || lane.pending.containsKey(base) || lane.inFlight.contains(base)) {
            return;
        }
        lane.pending.put(base, segment);
        backlogSegments++;
        backlogBytes += segment.sizeBytes();
        schedule(lane);
    }

    /** Drops a partition's queue (its topic was deleted); uploads in flight finish unrecorded. */
    public synchronized void cancel(RemoteLog remote) {
        // The lane stays, marked: a late enqueue for the deleted partition must not start a new one.
        Lane lane = lanes.computeIfAbsent(remote, Lane::new);
        if (!lane.cancelled) {
            lane.cancelled = true;
            for (ClosedSegment s : lane.pending.values()) {
                backlogSegments--;
                backlogBytes -= s.sizeBytes();
            }
            lane.pending.clear();
            waiting.remove(lane);
        }
    }

    private void schedule(Lane lane) {
        if (lane.canStart(PER_PARTITION_IN_FLIGHT) && !waiting.contains(lane)) {
            waiting.add(lane);
        }
        startWaiting();
    }

    private void startWaiting() {
        while (running < concurrency && !waiting.isEmpty()) {
            Lane lane = waiting.poll();
            if (!lane.canStart(PER_PARTITION_IN_FLIGHT)) {
                continue;
            }
            ClosedSegment segment = lane.pending.pollFirstEntry().getValue();
            lane.inFlight.add(segment.baseOffset());
            running++;
            CompletableFuture<Void> data = CompletableFuture.supplyAsync(() -> uploadData(lane.remote, segment), work)
                    .thenCompose(f -> f);
            CompletableFuture<Void> commit = lane.commitTail.thenCombine(data, (a, b) -> (Void) null)
                    .thenCompose(v -> commit(lane.remote, segment));
            lane.commitTail = commit;
            commit.whenComplete((ok, error) -> finished(lane, segment, error));
            if (lane.canStart(PER_PARTITION_IN_FLIGHT)) {
                waiting.add(lane);
            }
        }
    }

    private synchronized void finished(Lane lane, ClosedSegment segment, Throwable error) {
        running--;
        lane.inFlight.remove(segment.baseOffset());
        if (error == null || lane.cancelled) {
            backlogSegments--;
            backlogBytes -= segment.sizeBytes();
            if (error == null) {
                lane.failures = 0;
                uploadedBytes += segment.sizeBytes();
            }
        } else {
            failedAttempts++;
            lane.pending.put(segment.baseOffset(), segment);
            if (!lane.backingOff) {
                lane.failures++;
                lane.backingOff = true;
                long delay = backoffMs(lane.failures);
                LOG.log(System.Logger.Level.WARNING, "{0}: upload of segment {1} failed (attempt {2}), retrying in {3} ms: {4}",
                        segment.partitionName(), segment.baseOffset(), lane.failures, delay,
                        SluiceException.causeOf(error).toString());
                scheduler.schedule(() -> retry(lane), delay, TimeUnit.MILLISECONDS);
            }
        }
        if (lane.inFlight.isEmpty() && lane.commitTail.isCompletedExceptionally()) {
            lane.commitTail = CompletableFuture.completedFuture(null); // start the chain again from the oldest
        }
        schedule(lane);
    }

    private synchronized void retry(Lane lane) {
        lane.backingOff = false;
        schedule(lane);
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^failures)). */
    static long backoffMs(int failures) {
        long ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(failures, 20));
        return 1 + ThreadLocalRandom.current().nextLong(ceiling);
    }

    private CompletableFuture<Void> uploadData(RemoteLog remote, ClosedSegment s) {
        if (!Files.exists(s.logFile())) {
            return CompletableFuture.failedFuture(new IllegalStateException("segment file is gone: " + s.logFile()));
        }
        String topic = remote.topic();
        int partition = remote.partition();
        return CompletableFuture.allOf(
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), EPOCH, TierLayout.LOG), s.logFile()),
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), EPOCH, TierLayout.INDEX),
                        s.offsetIndexFile()),
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), EPOCH, TierLayout.TIME_INDEX),
                        s.timeIndexFile()));
    }

    /** Writes the segment's {@code .meta} object; once the store confirms it, the segment is remote. */
    private CompletableFuture<Void> commit(RemoteLog remote, ClosedSegment s) {
        RemoteSegment committed = new RemoteSegment(s.baseOffset(), s.nextOffset(), EPOCH, s.maxTimestamp(),
                s.sizeBytes(), clock.getAsLong());
        String key = layout.segmentKey(remote.topic(), remote.partition(), s.baseOffset(), EPOCH, TierLayout.META);
        return store.putBytes(key, committed.toBytes()).thenRun(() -> {
            remote.add(committed);
            LOG.log(System.Logger.Level.DEBUG, "{0}: uploaded segment {1} ({2} bytes)", s.partitionName(),
                    s.baseOffset(), s.sizeBytes());
        });
    }

    public synchronized int backlogSegments() {
        return backlogSegments;
    }

    public synchronized long backlogBytes() {
        return backlogBytes;
    }

    public synchronized long uploadedBytes() {
        return uploadedBytes;
    }

    public synchronized long failedAttempts() {
        return failedAttempts;
    }
}
