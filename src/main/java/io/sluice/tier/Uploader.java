package io.sluice.tier;

import io.sluice.log.ClosedSegment;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Copies closed segments to the object store. Each partition's segments go up in order, one at a
 * time (so a partition's remote view never has holes); at most {@code concurrency} partitions
 * upload at once. A failed upload is retried with exponential backoff and full jitter, forever:
 * the local disk holds the backlog while the store is away (DESIGN invariant 5). Keys are a
 * function of the segment, so a retry overwrites rather than duplicates.
 *
 * <p>A segment's data and indexes are uploaded first, its {@code .meta} object last; only when the
 * store confirmed that commit is the segment added to the {@link RemoteLog}, which is what allows
 * the local copy to be deleted (invariant 4).
 */
public final class Uploader {
    private static final System.Logger LOG = System.getLogger(Uploader.class.getName());
    static final long BASE_BACKOFF_MS = 200;
    static final long MAX_BACKOFF_MS = 30_000;

    /** A partition's queue of closed segments. */
    private static final class Lane {
        final RemoteLog remote;
        final Deque<ClosedSegment> pending = new ArrayDeque<>();
        boolean busy;
        boolean cancelled;
        int failures;

        Lane(RemoteLog remote) {
            this.remote = remote;
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
        if (lane.cancelled || lane.pending.stream().anyMatch(p -> p.baseOffset() == segment.baseOffset())) {
            return;
        }
        lane.pending.add(segment);
        backlogSegments++;
        backlogBytes += segment.sizeBytes();
        schedule(lane);
    }

    /** Drops a partition's queue (its topic was deleted). */
    public synchronized void cancel(RemoteLog remote) {
        Lane lane = lanes.remove(remote);
        if (lane != null) {
            lane.cancelled = true;
            for (ClosedSegment s : lane.pending) {
                backlogSegments--;
                backlogBytes -= s.sizeBytes();
            }
            lane.pending.clear();
            waiting.remove(lane);
        }
    }

    private void schedule(Lane lane) {
        if (lane.busy || lane.pending.isEmpty() || lane.cancelled || waiting.contains(lane)) {
            return;
        }
        waiting.add(lane);
        startWaiting();
    }

    private void startWaiting() {
        while (running < concurrency && !waiting.isEmpty()) {
            Lane lane = waiting.poll();
            if (lane.cancelled || lane.pending.isEmpty()) {
                continue;
            }
            lane.busy = true;
            running++;
            ClosedSegment segment = lane.pending.peek();
            CompletableFuture.supplyAsync(() -> upload(lane.remote, segment), work)
                    .thenCompose(f -> f)
                    .whenComplete((ok, error) -> finished(lane, segment, error));
        }
    }

    private synchronized void finished(Lane lane, ClosedSegment segment, Throwable error) {
        running--;
        lane.busy = false;
        if (error == null) {
            lane.failures = 0;
            if (lane.pending.peek() == segment) {
                lane.pending.poll();
                backlogSegments--;
                backlogBytes -= segment.sizeBytes();
            }
            uploadedBytes += segment.sizeBytes();
            schedule(lane);
        } else if (!lane.cancelled) {
            failedAttempts++;
            lane.failures++;
            long delay = backoffMs(lane.failures);
            LOG.log(System.Logger.Level.WARNING, "{0}: upload of segment {1} failed (attempt {2}), retrying in {3} ms: {4}",
                    segment.partitionName(), segment.baseOffset(), lane.failures, delay,
                    S3ObjectStore.unwrap(error).toString());
            lane.busy = true; // nothing else of this partition may start during the backoff
            scheduler.schedule(() -> retry(lane), delay, TimeUnit.MILLISECONDS);
        }
        startWaiting();
    }

    private synchronized void retry(Lane lane) {
        lane.busy = false;
        schedule(lane);
    }

    /** Exponential backoff with full jitter: uniform in [0, min(max, base * 2^failures)). */
    static long backoffMs(int failures) {
        long ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(failures, 20));
        return 1 + ThreadLocalRandom.current().nextLong(ceiling);
    }

    private CompletableFuture<Void> upload(RemoteLog remote, ClosedSegment s) {
        String topic = remote.topic();
        int partition = remote.partition();
        int epoch = 0;
        if (!Files.exists(s.logFile())) {
            return CompletableFuture.failedFuture(new IllegalStateException("segment file is gone: " + s.logFile()));
        }
        CompletableFuture<Void> data = CompletableFuture.allOf(
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), epoch, TierLayout.LOG), s.logFile()),
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), epoch, TierLayout.INDEX),
                        s.offsetIndexFile()),
                store.putFile(layout.segmentKey(topic, partition, s.baseOffset(), epoch, TierLayout.TIME_INDEX),
                        s.timeIndexFile()));
        RemoteSegment committed = new RemoteSegment(s.baseOffset(), s.nextOffset(), epoch, s.maxTimestamp(),
                s.sizeBytes(), clock.getAsLong());
        return data.thenCompose(v -> store.putBytes(
                        layout.segmentKey(topic, partition, s.baseOffset(), epoch, TierLayout.META), committed.toBytes()))
                .thenRun(() -> {
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
