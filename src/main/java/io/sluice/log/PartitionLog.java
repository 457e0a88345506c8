package io.sluice.log;

import static java.util.Objects.requireNonNull;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One partition's log: an ordered set of segments, the last of which takes appends. Owns the
 * invariants that offsets are increasing (dense as appended; compaction leaves gaps, {@link LogCleaner}), that a reader never sees past the high
 * watermark ({@link HighWatermark}), and that a torn tail is cut away on open ({@link LogLoader}).
 *
 * <p>Appends are queued and drained by a single writer ({@link SerialExecutor}); the fsyncs that make
 * them durable are group-committed by a {@link FlushPipeline}. A leader's appends get their offsets
 * and leader epoch here ({@link #appendAsLeader}); a follower's come with both set and must continue
 * the log exactly ({@link #appendAsFollower}). Truncation runs on the writer too, between appends.
 * Readers never take a lock: they read a published visible end and positional reads below it.
 */
public final class PartitionLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());
    /** The epoch slot of a follower's append: its batches carry their own. */
    private static final int AS_FOLLOWER = Integer.MIN_VALUE;

    public record AppendInfo(long baseOffset, long lastOffset) {
    }

    public record ReadResult(List<LogRecord> records, long nextOffset, long highWatermark, long logStartOffset) {
    }

    /** Queued batches: a leader's one (epoch to stamp), or a follower's run (offsets and epochs set). */
    private record PendingAppend(List<ByteBuffer> batches, int size, int leaderEpoch,
            CompletableFuture<AppendInfo> result) {
    }

    private final String name;
    private final Path dir;
    private final LogRuntime runtime;
    private final SegmentTiering tiering;
    private final SerialExecutor writer;
    private final LogSegments segments;
    private final Queue<PendingAppend> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AppendWaiters waiters = new AppendWaiters();
    private final FlushPipeline flushes;
    private final LogReader reader;
    private final HighWatermark hw;
    private final LeaderEpochs epochs;
    private volatile LogConfig config;
    /** The last point known fsynced (writer thread): what the recovery checkpoint records. */
    private RecoveryPoint checkpointed;
    /** The fsynced end, or the written end when fsync is off. */
    private volatile long durableEnd;
    private volatile LongConsumer durableListener = end -> { };
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile IOException failure;
    private volatile boolean closed;
    /** Loaded when the cleaner first looks at this log (only compacted logs have one). */
    private CleanerState cleanerState;

    private PartitionLog(String name, Path dir, LogConfig config, LogRuntime runtime, SegmentTiering tiering,
            LogLoader.Loaded loaded) throws IOException {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.runtime = runtime;
        this.tiering = tiering;
        this.writer = new SerialExecutor(runtime.ioPool());
        this.segments = new LogSegments(name, dir, runtime, loaded);
        LogSegment active = segments.active();
        this.hw = new HighWatermark(active.pointNow(), waiters::fireAll);
        this.reader = new LogReader(name, segments.map(), hw::visible, () -> logStartOffset, () -> logEndOffset,
                () -> closed);
        this.flushes = new FlushPipeline(writer, runtime.flushPool(), segments::active, () -> closed,
                this::onFsynced, this::onFlushFailed);
        this.logStartOffset = segments.firstBase();
        this.logEndOffset = active.nextOffset();
        this.checkpointed = active.pointNow();
        this.durableEnd = logEndOffset;
        runtime.checkpoints().update(name, checkpointed);
        this.epochs = LeaderEpochs.load(name, runtime.io(), dir, logEndOffset, segments.lastBatchEpoch(),
                () -> logEndOffset, segments::walkBatches);
    }

    /** Opens the log in {@code dir}, creating it if needed, and recovers it from its recovery point. */
    public static PartitionLog open(String name, Path dir, LogConfig config, LogRuntime runtime) throws IOException {
        return open(name, dir, config, runtime, SegmentTiering.NONE, 0);
    }

    /**
     * Opens the log with a tier. {@code initialOffset} is where an empty log starts: after the
     * tier's last offset when the disk was lost, so offsets continue where the bucket ends.
     */
    public static PartitionLog open(String name, Path dir, LogConfig config, LogRuntime runtime,
            SegmentTiering tiering, long initialOffset) throws IOException {
        runtime.io().createDirectories(dir);
        return new PartitionLog(name, dir, config, runtime, tiering,
                LogLoader.load(name, dir, config, runtime, initialOffset));
    }

    /**
     * Queues an encoded batch (base offset not yet assigned) for the writer, which stamps its base
     * offset and {@code leaderEpoch}; the future completes once it is written (not fsynced: wait for
     * the high watermark for that). A leader epoch newer than the log's latest starts that epoch at
     * this batch; an older one means the caller was deposed (a fenced leader) and is refused.
     */
    public CompletableFuture<AppendInfo> appendAsLeader(ByteBuffer batch, int leaderEpoch) {
        if (leaderEpoch < 0) {
            throw new IllegalArgumentException("leaderEpoch=" + leaderEpoch + " of " + name);
        }
        RecordBatch header = new RecordBatch(batch, 0);
        if (header.recordCount() != header.lastOffsetDelta() + 1L) {
            // The leader assigns offsets densely: only compaction may leave gaps, never a producer.
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.CORRUPT_RECORD, "a produced batch "
                    + "must have dense offsets: count=" + header.recordCount() + " lastOffsetDelta="
                    + header.lastOffsetDelta() + "; nothing was written to " + name));
        }
        return enqueue(new PendingAppend(List.of(batch), batch.limit(), leaderEpoch, new CompletableFuture<>()));
    }

    /**
     * Appends whole batches copied from the leader, offsets and epochs already set. Every batch is
     * validated (CRC, magic, sizes, increasing offsets) before anything is queued; the first must
     * start at or after the log end when the writer gets to it (after it: a gap the leader's compaction
     * left, kept as it is), else nothing is written and the future fails with OFFSET_OUT_OF_RANGE. A batch whose epoch is newer than the log's latest starts that epoch.
     * Completes with the new log end once written.
     */
    public CompletableFuture<Long> appendAsFollower(ByteBuffer batches) {
        List<ByteBuffer> split;
        try {
            split = RecordBatches.splitValidated(batches, "follower append to " + name);
        } catch (CorruptRecordException e) {
            return CompletableFuture.failedFuture(e);
        }
        return enqueue(new PendingAppend(split, batches.remaining(), AS_FOLLOWER, new CompletableFuture<>()))
                .thenApply(info -> info.lastOffset() + 1);
    }

    private CompletableFuture<AppendInfo> enqueue(PendingAppend append) {
        IOException failed = failure;
        if (closed || failed != null) {
            append.result.completeExceptionally(offline(failed));
            return append.result;
        }
        pending.add(append);
        if (drainScheduled.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
        return append.result;
    }

    private SluiceException offline(IOException cause) {
        String why = cause == null ? "closed" : "offline after an I/O error: " + cause.getMessage();
        return new SluiceException(ErrorCode.STORAGE_ERROR, "partition " + name + " is " + why, cause);
    }

    private void drain() {
        drainScheduled.set(false);
        List<PendingAppend> queued = new ArrayList<>();
        for (PendingAppend p; (p = pending.poll()) != null; ) {
            queued.add(p);
        }
        if (queued.isEmpty()) {
            return;
        }
        if (closed || failure != null) {
            queued.forEach(p -> p.result.completeExceptionally(offline(failure)));
            return;
        }
        AppendInfo[] infos = new AppendInfo[queued.size()];
        RuntimeException[] refused = new RuntimeException[queued.size()];
        try {
            writeAll(queued, infos, refused);
        } catch (IOException | RuntimeException e) {
            failWriter(e instanceof IOException io ? io : new IOException(e));
            queued.forEach(p -> p.result.completeExceptionally(offline(failure)));
            return;
        }
        // Before the acknowledgements: an append that completes is covered by the durable end when fsync is off.
        if (runtime.fsync()) {
            flushes.request();
        } else {
            advanceDurableEnd(segments.active().pointNow()); // without fsync, written is as durable as it gets
        }
        for (int i = 0; i < queued.size(); i++) {
            if (refused[i] != null) {
                queued.get(i).result.completeExceptionally(refused[i]);
            } else {
                queued.get(i).result.complete(infos[i]);
            }
        }
    }

    private SluiceException cannotRoll() {
        IOException rollFailure = segments.rollFailure();
        return new SluiceException(ErrorCode.BROKER_BUSY, "partition " + name + " is full until its next segment "
                + "can be created (" + rollFailure.getMessage() + "); retry later", rollFailure);
    }

    /**
     * Stamps offsets and epochs and writes the batches, rolling the active segment where size or age
     * says so. An append refused (a fenced epoch, a follower batch that does not continue the log, a
     * full segment while a roll keeps failing) gets its refusal instead of an info, and writes nothing.
     */
    private void writeAll(List<PendingAppend> queued, AppendInfo[] infos, RuntimeException[] refused)
            throws IOException {
        long now = runtime.clock().getAsLong();
        List<ByteBuffer> run = new ArrayList<>();
        int runBytes = 0;
        long next = segments.active().nextOffset();
        for (int i = 0; i < queued.size(); i++) {
            PendingAppend p = queued.get(i);
            refused[i] = refusal(p, next);
            if (refused[i] != null) {
                continue;
            }
            int activeSize = segments.active().size();
            if (activeSize + runBytes > 0 && segments.shouldRoll(config, activeSize + runBytes + (long) p.size, next, now)) {
                appendRun(run);
                run.clear();
                runBytes = 0;
                if (!tryRoll(now) && !segments.fits(p.size, next)) {
                    refused[i] = cannotRoll();
                    continue;
                }
            }
            long base = p.leaderEpoch == AS_FOLLOWER ? new RecordBatch(p.batches.get(0), 0).baseOffset() : next;
            for (ByteBuffer bytes : p.batches) {
                RecordBatch b = new RecordBatch(bytes, 0);
                if (p.leaderEpoch != AS_FOLLOWER) {
                    b.setBaseOffset(next);
                    b.setPartitionLeaderEpoch(p.leaderEpoch);
                }
                // Before the batch is written: a crash in between leaves an epoch starting at the log
                // end, which loading drops.
                if (b.partitionLeaderEpoch() > epochs.latestEpoch()) {
                    epochs.assign(b.partitionLeaderEpoch(), p.leaderEpoch == AS_FOLLOWER ? b.baseOffset() : next);
                }
                next = b.nextOffset();
                run.add(bytes);
            }
            runBytes += p.size;
            infos[i] = new AppendInfo(base, next - 1);
        }
        appendRun(run);
    }

    /** Why {@code p} cannot be written at {@code next}, or null. */
    private RuntimeException refusal(PendingAppend p, long next) {
        if (p.leaderEpoch == AS_FOLLOWER) {
            long base = new RecordBatch(p.batches.get(0), 0).baseOffset();
            // Above the end is a gap the leader's compaction left: the follower's log keeps it too.
            return base >= next ? null : new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "follower append to "
                    + name + " starts at offset " + base + " but the log ends at " + next + "; nothing was written");
        }
        int latest = epochs.latestEpoch();
        return p.leaderEpoch >= latest ? null : new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "partition "
                + name + " has leader epoch " + latest + "; an append as leader at the older epoch " + p.leaderEpoch
                + " comes from a deposed leader and was refused");
    }

    private void appendRun(List<ByteBuffer> run) throws IOException {
        if (run.isEmpty()) {
            return;
        }
        List<RecoveryPoint> batchEnds = hw.managed() ? new ArrayList<>(run.size()) : null;
        segments.append(run, batchEnds);
        logEndOffset = segments.active().nextOffset(); // before a roll in this drain may publish a visible end past it
        if (batchEnds != null) {
            hw.written(batchEnds);
        }
    }

    /** Rolls the active segment ({@link LogSegments#tryRoll}); the closed one is durable whole and may go to the tier. */
    private boolean tryRoll(long now) throws IOException {
        LogSegment closedSegment = segments.tryRoll(config, now);
        if (closedSegment == null) {
            return false;
        }
        onFsynced(closedSegment.pointNow());
        // Only committed records go to the tier: a segment above the high watermark may still be
        // truncated away by a new leader. It is handed over later, from closedSegments().
        // A compacted topic's segment goes up once cleaned (closedSegments() offers it then), not dirty.
        if (config.remoteStorage() && !config.compact() && closedSegment.nextOffset() <= hw.value()) {
            tiering.onSegmentClosed(segments.describe(closedSegment));
        }
        return true;
    }

    /** Writer thread: {@code point} is fsynced; the recovery checkpoint may record it. */
    private void onFsynced(RecoveryPoint point) {
        if (point.nextOffset() > checkpointed.nextOffset()) {
            checkpointed = point;
            runtime.checkpoints().update(name, point);
        }
        advanceDurableEnd(point);
    }

    /**
     * Writer thread: what {@code point} covers is durable (or written, without fsync). The automatic
     * high watermark follows; a managed one may rise to it; the listener (replication) hears of it.
     */
    private void advanceDurableEnd(RecoveryPoint point) {
        if (point.nextOffset() <= durableEnd) {
            return;
        }
        durableEnd = point.nextOffset();
        hw.durable(point);
        durableListener.accept(point.nextOffset());
    }

    private void onFlushFailed(IOException error) {
        failWriter(error);
        hw.failWaiters(() -> offline(error));
    }

    /** Every closed segment still on disk, oldest first: what a restarted tier checks for upload. */
    public List<ClosedSegment> closedSegments() {
        List<ClosedSegment> closedOnes = segments.closedBelow(hw.visible().segmentBase());
        if (config.compact()) {
            long firstDirty = cleanerState().firstDirty();
            closedOnes.removeIf(s -> s.nextOffset() > firstDirty); // the uploader waits for the cleaner to pass it
        }
        return closedOnes;
    }

    /** The cleaner's state of this log, loaded from its directory on first use. */
    synchronized CleanerState cleanerState() {
        if (cleanerState == null) {
            cleanerState = CleanerState.load(runtime.io(), dir);
        }
        return cleanerState;
    }

    /**
     * The segments compaction may rewrite: closed ones wholly below the segment that holds the visible
     * end (the high watermark), so that nothing a follower may still truncate, and no position a reader's
     * visible end points at, ever changes. Oldest first.
     */
    List<LogSegment> cleanableSegments() {
        long visibleBase = hw.visible().segmentBase();
        List<LogSegment> cleanable = new ArrayList<>();
        for (LogSegment s : segments.map().headMap(visibleBase, false).values()) {
            if (s != segments.active()) {
                cleanable.add(s);
            }
        }
        return cleanable;
    }

    /**
     * On the writer: puts {@code cleaned} in the place of {@code group} ({@link SegmentSwap}), unless
     * retention, truncation or the high watermark moved under the cleaner; completes with whether it did.
     */
    CompletableFuture<Boolean> swapCleaned(List<LogSegment> group, LogSegment cleaned,
            SegmentSwap.StepListener listener) {
        CompletableFuture<Boolean> swapped = new CompletableFuture<>();
        onWriter("swapping a cleaned segment into", () -> {
            LogSegment last = group.get(group.size() - 1);
            if (!segments.holds(group) || last.baseOffset() >= hw.visible().segmentBase()) {
                swapped.complete(false);
                return;
            }
            SegmentSwap.swapIn(segments, group, cleaned, runtime.io(), dir, listener);
            swapped.complete(true);
        }).whenComplete((v, e) -> {
            if (e != null) {
                swapped.completeExceptionally(e);
            }
        });
        return swapped;
    }

    LogRuntime runtime() {
        return runtime;
    }

    Path dir() {
        return dir;
    }

    private void failWriter(IOException e) {
        if (failure == null) {
            failure = e;
            LOG.log(System.Logger.Level.ERROR, "partition " + name + " goes offline after an I/O error", e);
        }
    }

    /**
     * Reads records from {@code offset} on, below the high watermark: whole batches from one
     * segment, at most {@code maxBytes} of them (but always one batch) and {@code maxRecords}
     * records. Every batch is CRC-checked before a record of it is returned.
     */
    public ReadResult read(long offset, int maxBytes, int maxRecords) {
        return reader.read(offset, maxBytes, maxRecords);
    }

    /** First offset whose timestamp is at or after {@code timestamp}, or the high watermark if none. */
    public long offsetForTimestamp(long timestamp) {
        return reader.offsetForTimestamp(timestamp);
    }

    /**
     * Calls {@code callback} once, as soon as data at or above {@code offset} is visible (at once
     * if it already is). Runs on the writer's thread: the callback must only hand work off.
     */
    public Cancellable awaitData(long offset, Runnable callback) {
        AppendWaiters.Waiter waiter = waiters.add(callback);
        if (hw.value() > offset || closed) {
            waiter.fire();
        }
        return waiter;
    }

    /**
     * Periodic upkeep on the writer: rolls an idle active segment past {@code segment.ms}, deletes
     * whole segments past retention ({@link Retention}), and writes the active segment's new index
     * entries (so recovery after a crash scans little). Completes exceptionally when a step failed;
     * only a failed fsync takes the log offline.
     */
    public CompletableFuture<Void> maintain() {
        return CompletableFuture.runAsync(() -> {
            if (closed || failure != null) {
                return;
            }
            long now = runtime.clock().getAsLong();
            try {
                LogSegment active = segments.active();
                if (active.size() > 0 && now - active.createdAtMs() >= config.segmentMs() && !tryRoll(now)
                        && segments.rollFailure() != null) {
                    throw new UncheckedIOException("rolling " + name + " by segment.ms", segments.rollFailure());
                }
            } catch (IOException e) {
                failWriter(e);
                throw new UncheckedIOException("rolling " + name, e);
            }
            epochs.flush();
            try {
                enforceRetention(now);
                segments.active().persistIndexes();
            } catch (IOException e) {
                throw new UncheckedIOException("maintaining " + name, e);
            }
        }, writer);
    }

    private void enforceRetention(long now) throws IOException {
        long startBefore = logStartOffset;
        for (LogSegment oldest : Retention.expired(segments.map(), config, tiering, now)) {
            if (oldest.nextOffset() > hw.value()) {
                break; // not committed yet: a follower may still need it, and a reader has not seen it
            }
            // The start moves first: a reader that finds the offset below it goes to the tier, not to a
            // segment being deleted.
            logStartOffset = segments.map().higherKey(oldest.baseOffset());
            segments.deleteOldest(oldest);
            LOG.log(System.Logger.Level.INFO, "{0}: deleted local segment {1} by retention, local log start is now {2}",
                    name, oldest.baseOffset(), logStartOffset);
        }
        if (logStartOffset != startBefore) {
            epochs.truncateFromStart(logStartOffset);
        }
    }

    /**
     * Whole batches from {@code offset} up to the log end (not the high watermark), from one segment,
     * at most {@code maxBytes} but always one whole batch when any exists; length 0 at the log end.
     *
     * @throws SluiceException OFFSET_OUT_OF_RANGE below the log start, past the log end, or where no batch starts
     */
    public LogSlice readForReplica(long offset, int maxBytes) {
        return reader.readForReplica(offset, maxBytes);
    }

    /**
     * Hands the high watermark to replication: from now on only {@link #updateHighWatermark} raises
     * it. It starts at the checkpointed watermark (at most the log end), or at the log end when none
     * was checkpointed (a log that was its own only replica: everything in it was visible). Blocks
     * until the writer has switched; not to be called on the writer.
     */
    public void manageHighWatermark() {
        onWriter("managing the high watermark of", () -> {
            if (hw.managed()) {
                return;
            }
            long saved = runtime.checkpoints().claimHighWatermark(name);
            long start = saved == RecoveryCheckpoints.NO_HIGH_WATERMARK ? durableEnd
                    : Math.max(logStartOffset, Math.min(saved, durableEnd));
            RecoveryPoint point = segments.pointAt(start);
            hw.manage(point, segments.batchEndsAbove(point));
            runtime.checkpoints().updateHighWatermark(name, hw.value());
        }).join();
    }

    /**
     * Replication's high watermark: what the in-sync replicas hold. Clipped to this log's durable end
     * and down to a batch boundary; a value below the current watermark is ignored (only truncation
     * lowers it). Readers see up to it from now on; {@link #awaitHighWatermark} waiters it reaches complete.
     */
    public void updateHighWatermark(long highWatermark) {
        hw.update(highWatermark);
        runtime.checkpoints().updateHighWatermark(name, hw.value());
    }

    /** Completes once the high watermark is at or above {@code offset} ({@code acks=all}: last offset + 1). */
    public CompletableFuture<Void> awaitHighWatermark(long offset) {
        IOException failed = failure;
        if (closed || failed != null) {
            return CompletableFuture.failedFuture(offline(failed));
        }
        CompletableFuture<Void> waiter = hw.await(offset);
        if (closed || failure != null) {
            hw.failWaiters(() -> offline(failure)); // raced with close or a failure: nobody else fails it
        }
        return waiter;
    }

    /** Fails every pending {@link #awaitHighWatermark} with {@code why} (leadership was lost). */
    public void failHighWatermarkWaiters(Supplier<RuntimeException> why) {
        hw.failWaiters(why);
    }

    /**
     * Removes every record at or above {@code offset}: the segments after the one holding it are
     * deleted and that one is cut at the start of the batch holding {@code offset} (the offset itself
     * when it is a batch boundary). The log end, durable end, recovery checkpoint, indexes and epoch
     * file follow; the high watermark comes down to the new end if it was above. Nothing happens at
     * or past the log end; below the log start the log is emptied to start at {@code offset}.
     *
     * <p>Crash-safe by order: later segments go newest first (a crash leaves a shorter, contiguous
     * log), then the cut is fsynced, and only then does the epoch file forget the epochs past it (a
     * crash before leaves entries past the log end, which loading drops). Appends queued before this
     * call are written before the truncation; chain later appends on the returned future.
     */
    public CompletableFuture<Void> truncateTo(long offset) {
        return onWriter("truncating", () -> {
            if (offset >= logEndOffset) {
                return;
            }
            if (offset < logStartOffset) {
                startAt(offset);
                return;
            }
            LogSegment keep = segments.map().floorEntry(offset).getValue();
            RecoveryPoint cut = keep.pointAt(offset);
            hw.truncated(cut); // readers first: they must not look past the cut while it happens
            logEndOffset = cut.nextOffset();
            durableEnd = Math.min(durableEnd, cut.nextOffset());
            flushes.truncated();
            segments.keepUpTo(keep);
            keep.cutTo(cut);
            epochs.truncateFromEnd(cut.nextOffset());
            cleanerState().truncated(cut.nextOffset());
            if (checkpointed.nextOffset() > cut.nextOffset() || checkpointed.segmentBase() > cut.segmentBase()) {
                checkpointed = cut;
                runtime.checkpoints().update(name, cut);
            }
            if (hw.managed()) {
                runtime.checkpoints().updateHighWatermark(name, hw.value());
            }
            LOG.log(System.Logger.Level.INFO, "{0}: truncated to offset {1} (asked {2})", name, cut.nextOffset(), offset);
        });
    }

    /**
     * Deletes every segment and starts an empty log at {@code offset}: a follower whose leader's log
     * starts past this log's end. The epoch file is emptied; the high watermark is {@code offset}.
     */
    public CompletableFuture<Void> truncateFullyAndStartAt(long offset) {
        return onWriter("emptying", () -> startAt(offset));
    }

    private void startAt(long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset=" + offset + " of " + name);
        }
        RecoveryPoint start = RecoveryPoint.emptySegment(offset);
        hw.reset(start);
        logEndOffset = offset;
        durableEnd = offset;
        flushes.truncated();
        segments.startAt(offset, config, runtime.clock().getAsLong());
        logStartOffset = offset;
        epochs.clear();
        cleanerState().truncated(offset);
        checkpointed = start;
        runtime.checkpoints().update(name, start);
        if (hw.managed()) {
            runtime.checkpoints().updateHighWatermark(name, offset);
        }
        LOG.log(System.Logger.Level.INFO, "{0}: emptied, the log starts again at offset {1}", name, offset);
    }

    private interface WriterTask {
        void run() throws IOException;
    }

    /**
     * Runs {@code task} on the writer. An I/O failure mid-way leaves files and memory apart, so it
     * takes the log offline, as a failed append does.
     */
    private CompletableFuture<Void> onWriter(String what, WriterTask task) {
        return CompletableFuture.runAsync(() -> {
            if (closed || failure != null) {
                throw offline(failure);
            }
            try {
                task.run();
            } catch (IOException e) {
                failWriter(e);
                hw.failWaiters(() -> offline(e));
                throw new UncheckedIOException(what + " " + name, e);
            }
        }, writer);
    }

    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    public LogConfig config() {
        return config;
    }

    public String name() {
        return name;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /** The end of what readers see: the durable end, or what replication set ({@link #manageHighWatermark}). */
    public long highWatermark() {
        return hw.value();
    }

    /** The fsynced end of the log; the written end when fsync is off. */
    public long durableEnd() {
        return durableEnd;
    }

    /**
     * Sets the one listener told each new durable end (replication reports it to the leader). It is
     * called on the log's writer thread and must only hand work off.
     */
    public void onDurableAdvance(LongConsumer listener) {
        this.durableListener = requireNonNull(listener);
    }

    /** The leader epochs of this log and where each starts. */
    public LeaderEpochs epochs() {
        return epochs;
    }

    public int segmentCount() {
        return segments.count();
    }

    /** Bytes of the segments that start at or after {@code offset}. */
    public long sizeInBytesFrom(long offset) {
        return segments.sizeInBytesFrom(offset);
    }

    public long sizeInBytes() {
        return segments.sizeInBytesFrom(Long.MIN_VALUE);
    }

    /** Readers parked on this log, waiting for data. */
    public int waitingReaders() {
        return waiters.size();
    }

    public boolean isOnline() {
        return failure == null && !closed;
    }

    /**
     * Waits for queued appends, makes the active segment durable and closes every file, each one
     * even when the flush or another close fails (the first failure is thrown, the others suppressed).
     * Closing a closed log does nothing.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            if (closed) {
                return;
            }
            closed = true;
            IOException error = null;
            try {
                if (failure == null) {
                    LogSegment active = segments.active();
                    active.flushLog();
                    onFsynced(active.pointNow());
                    active.persistIndexesDurably();
                    epochs.flush();
                }
            } catch (IOException e) {
                error = e;
            }
            try {
                segments.closeAll(error);
                error = null;
            } catch (IOException e) {
                error = e;
            }
            hw.failWaiters(() -> offline(failure));
            waiters.fireAll();
            if (error != null) {
                throw new UncheckedIOException("closing " + name, error);
            }
        }, writer);
        writer.execute(this::drain); // fails anything queued after the close
        try {
            done.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u : e;
        }
    }

    /** Closes the log, forgets its recovery point and deletes its directory. */
    public void delete() throws IOException {
        try {
            close();
        } catch (UncheckedIOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing " + name + " before deleting it", e);
        }
        runtime.checkpoints().remove(name);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
