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
 * is away (DESIGN invariant 5). Every upload of a segment gets its own upload id in its keys
 * (kept across the retries of one process), so no upload ever overwrites an object another wrote.
 *
 * <p>Only when the store confirmed a segment's commit is it added to the {@link RemoteLog}, which
 * is what allows the local copy to be deleted (invariant 4). Nothing is uploaded for a partition
 * whose remote view is not loaded yet (what the bucket holds is unknown) or whose topic was
 * deleted.
 *
 * <p>In a cluster only the partition's leader uploads: a segment is queued only while the view says
 * this broker uploads at an epoch ({@link RemoteLog#uploadEpoch()}), and only when some offset of
 * it is not in the bucket yet (a range check: the leader before may have rolled elsewhere). The
 * epoch goes into the segment's keys and {@code .meta}. An upload whose epoch is no longer the
 * view's (leadership moved) does not commit: its data objects stay orphaned, never a segment.
 */
public final class Uploader {
    private static final System.Logger LOG = System.getLogger(Uploader.class.getName());
    static final long BASE_BACKOFF_MS = 200;
    static final long MAX_BACKOFF_MS = 30_000;
    static final int PER_PARTITION_IN_FLIGHT = 3;
    /** A segment waiting for (or in) its upload, with the id its keys carry and the leader epoch it is uploaded at. */
    private record Upload(ClosedSegment segment, String uploadId, int leaderEpoch) {
    }

    /** A partition's segments: waiting (by base offset) and in flight, and its chain of commits. */
    private static final class Lane {
        final RemoteLog remote;
        final TreeMap<Long, Upload> pending = new TreeMap<>();
        final Set<Long> inFlight = new HashSet<>();
        /** The commit of the last segment started; the next commits after it. */
        CompletableFuture<Void> commitTail = CompletableFuture.completedFuture(null);
        /** Completes when a cancelled lane has nothing in flight any more. */
        final CompletableFuture<Void> drained = new CompletableFuture<>();
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
    /** Failed attempts since the last success, and the clock when the first of them failed (-1: none). */
    private long consecutiveFailures;
    private long failingSinceMs = -1;

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

    /**
     * Queues a closed segment; ignored if the bucket already holds all of its offsets, it is
     * queued, or this broker does not upload the partition (it does not lead it).
     */
    public synchronized void enqueue(RemoteLog remote, ClosedSegment segment) {
        // Unloaded: the segment may be in the bucket already; it is queued again once the view is known.
        int epoch = remote.uploadEpoch();
        if (remote.isDeleted() || !remote.isLoaded() || epoch < 0
                || remote.covers(segment.baseOffset(), segment.nextOffset())) {
            return;
        }
        Lane lane = lanes.computeIfAbsent(remote, Lane::new);
        long base = segment.baseOffset();
        if (lane.cancelled || lane.pending.containsKey(base) || lane.inFlight.contains(base)) {
            return;
        }
        lane.pending.put(base, new Upload(segment, RemoteSegment.newUploadId(), epoch));
        backlogSegments++;
        backlogBytes += segment.sizeBytes();
        schedule(lane);
    }

    /**
     * Drops a partition's queue (its topic was deleted). Uploads in flight finish unrecorded; the
     * future completes once none is left, so that a clean-up listing after it sees their objects.
     */
    public synchronized CompletableFuture<Void> cancel(RemoteLog remote) {
        remote.markDeleted(); // a late enqueue for the deleted partition must not start a new lane
        return drop(remote);
    }

    /**
     * Stops uploading a partition this broker no longer leads (or no longer holds): its queue is
     * dropped and nothing more is queued until it uploads at an epoch again. An upload in flight
     * does not commit (its epoch is not the view's any more) unless its commit is already on its
     * way. The future completes once none is in flight.
     */
    public synchronized CompletableFuture<Void> stop(RemoteLog remote) {
        remote.stopUploading();
        return drop(remote);
    }

    private CompletableFuture<Void> drop(RemoteLog remote) {
        Lane lane = lanes.get(remote);
        if (lane == null) {
            return CompletableFuture.completedFuture(null);
        }
        if (!lane.cancelled) {
            lane.cancelled = true;
            for (Upload u : lane.pending.values()) {
                backlogSegments--;
                backlogBytes -= u.segment().sizeBytes();
            }
            lane.pending.clear();
            waiting.remove(lane);
            removeIfDrained(lane);
        }
        return lane.drained;
    }

    private void removeIfDrained(Lane lane) {
        if (lane.cancelled && lane.inFlight.isEmpty()) {
            lanes.remove(lane.remote, lane);
            lane.drained.complete(null);
        }
    }

    /** Partitions with a queue; a deleted topic's leave once their last upload ended. */
    public synchronized int lanes() {
        return lanes.size();
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
            Upload upload = lane.pending.pollFirstEntry().getValue();
            if (upload.leaderEpoch() != lane.remote.uploadEpoch()) {
                backlogSegments--; // leadership moved since it was queued: the new leader uploads it
                backlogBytes -= upload.segment().sizeBytes();
                if (lane.canStart(PER_PARTITION_IN_FLIGHT)) {
                    waiting.add(lane);
                }
                continue;
            }
            lane.inFlight.add(upload.segment().baseOffset());
            running++;
            CompletableFuture<Void> data = CompletableFuture.supplyAsync(() -> uploadData(lane.remote, upload), work)
                    .thenCompose(f -> f);
            CompletableFuture<Void> commit = lane.commitTail.thenCombine(data, (a, b) -> (Void) null)
                    .thenCompose(v -> commit(lane.remote, upload));
            lane.commitTail = commit;
            commit.whenComplete((ok, error) -> finished(lane, upload, error));
            if (lane.canStart(PER_PARTITION_IN_FLIGHT)) {
                waiting.add(lane);
            }
        }
    }

    /** A take-over's listing succeeded: the store answers again (uploads that fail after it count afresh). */
    synchronized void storeAnswered() {
        consecutiveFailures = 0;
        failingSinceMs = -1;
    }

    /** A call to the store on the way to an upload (a take-over's listing) failed: counted as a failed attempt. */
    synchronized void attemptFailed() {
        failedAttempts++;
        if (consecutiveFailures++ == 0) {
            failingSinceMs = clock.getAsLong();
        }
    }

    private synchronized void finished(Lane lane, Upload upload, Throwable error) {
        ClosedSegment segment = upload.segment();
        running--;
        lane.inFlight.remove(segment.baseOffset());
        if (error == null || lane.cancelled) {
            backlogSegments--;
            backlogBytes -= segment.sizeBytes();
            if (error == null) {
                lane.failures = 0;
                uploadedBytes += segment.sizeBytes();
                consecutiveFailures = 0;
                failingSinceMs = -1;
            }
        } else {
            attemptFailed();
            lane.pending.put(segment.baseOffset(), upload);
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
        removeIfDrained(lane);
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

    private CompletableFuture<Void> uploadData(RemoteLog remote, Upload upload) {
        ClosedSegment s = upload.segment();
        if (!Files.exists(s.logFile())) {
            return CompletableFuture.failedFuture(new IllegalStateException("segment file is gone: " + s.logFile()));
        }
        RemoteSegment target = describe(upload);
        String id = remote.topicId();
        int partition = remote.partition();
        return CompletableFuture.allOf(
                store.putFile(layout.segmentKey(id, partition, target, TierLayout.LOG), s.logFile()),
                store.putFile(layout.segmentKey(id, partition, target, TierLayout.INDEX), s.offsetIndexFile()),
                store.putFile(layout.segmentKey(id, partition, target, TierLayout.TIME_INDEX), s.timeIndexFile()));
    }

    private RemoteSegment describe(Upload upload) {
        ClosedSegment s = upload.segment();
        return new RemoteSegment(s.baseOffset(), s.nextOffset(), upload.leaderEpoch(), upload.uploadId(),
                s.maxTimestamp(),
                s.sizeBytes(), clock.getAsLong());
    }

    /** Writes the segment's {@code .meta} object; once the store confirms it, the segment is remote. */
    private CompletableFuture<Void> commit(RemoteLog remote, Upload upload) {
        if (remote.isDeleted()) {
            // The topic went while the data was on its way: no commit, so nothing of it ever counts as a segment.
            return CompletableFuture.failedFuture(new IllegalStateException(remote.name() + " was deleted"));
        }
        if (remote.uploadEpoch() != upload.leaderEpoch()) {
            // Deposed: the new leader listed the bucket without this segment and uploads the range itself.
            return CompletableFuture.failedFuture(new IllegalStateException(remote.name()
                    + " is no longer uploaded here at epoch " + upload.leaderEpoch()));
        }
        RemoteSegment committed = describe(upload);
        String key = layout.segmentKey(remote.topicId(), remote.partition(), committed, TierLayout.META);
        return store.putBytes(key, committed.toBytes()).thenRun(() -> {
            remote.add(committed);
            LOG.log(System.Logger.Level.DEBUG, "{0}: uploaded segment {1} ({2} bytes)", remote.name(),
                    committed.baseOffset(), committed.sizeBytes());
        });
    }

    /**
     * How long every upload has been failing, by the tier's clock: 0 while the last attempt
     * succeeded or none failed. A store that refuses everything (wrong endpoint, credentials,
     * bucket policy) shows here, not only a store that is down.
     */
    public synchronized long failingForMs() {
        return failingSinceMs < 0 ? 0 : Math.max(1, clock.getAsLong() - failingSinceMs);
    }

    public synchronized long consecutiveFailures() {
        return consecutiveFailures;
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
