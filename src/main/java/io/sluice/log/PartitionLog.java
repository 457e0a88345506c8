package io.sluice.log;

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
import java.util.NavigableMap;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One partition's log: an ordered set of segments, the last of which takes appends. Owns the
 * invariants that offsets are dense and increasing, that a reader never sees bytes that are not
 * yet durable (when fsync is on), and that a torn tail is cut away on open ({@link LogLoader}).
 *
 * <p>Appends are queued and drained by a single writer ({@link SerialExecutor}); the fsyncs that make
 * them durable are group-committed by a {@link FlushPipeline}. Readers never take a lock: they read a
 * published visible end and positional reads below it.
 */
public final class PartitionLog implements AutoCloseable {
    /**
     * The leader epoch stamped into every batch at append (the CRC does not cover it), as Kafka's
     * leader does: one broker, never re-elected, leads at epoch 0; describe reports the same.
     */
    public static final int LEADER_EPOCH = 0;
    private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());
    /** How long a roll that could not create its next file waits before it tries again. */
    static final long ROLL_RETRY_MS = 1_000;

    /** When an append is acknowledged: once written (acks=1) or once fsynced (acks=all). */
    public enum Durability { WRITTEN, FLUSHED }

    public record AppendInfo(long baseOffset, long lastOffset) {
    }

    public record ReadResult(List<LogRecord> records, long nextOffset, long highWatermark, long logStartOffset) {
    }

    private record PendingAppend(ByteBuffer batch, Durability durability, CompletableFuture<AppendInfo> result) {
    }

    private final String name;
    private final Path dir;
    private final LogRuntime runtime;
    private final SegmentTiering tiering;
    private final SerialExecutor writer;
    private final NavigableMap<Long, LogSegment> segments;
    private final Queue<PendingAppend> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AppendWaiters waiters = new AppendWaiters();
    private final FlushPipeline flushes;
    private final LogReader reader;
    private volatile LogConfig config;
    /** The end of what readers may see: the high watermark and where it sits in the files. */
    private volatile RecoveryPoint visible;
    /** The last point known fsynced (writer thread). */
    private RecoveryPoint durable;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile IOException failure;
    private volatile boolean closed;
    private LogSegment active;
    /** Set while rolling fails to create the next segment's file; appends go on in the current one. */
    private volatile IOException rollFailure;
    private long nextRollAttemptMs;

    private PartitionLog(String name, Path dir, LogConfig config, LogRuntime runtime, SegmentTiering tiering,
            LogLoader.Loaded loaded) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.runtime = runtime;
        this.tiering = tiering;
        this.writer = new SerialExecutor(runtime.ioPool());
        this.segments = loaded.segments();
        this.active = loaded.active();
        this.reader = new LogReader(name, segments, () -> visible, () -> logStartOffset, () -> logEndOffset,
                () -> closed);
        this.flushes = new FlushPipeline(writer, runtime.flushPool(), () -> active, () -> closed, this::onDurable,
                this::onFlushFailed);
        this.logStartOffset = segments.firstKey();
        this.logEndOffset = active.nextOffset();
        this.visible = active.pointNow();
        this.durable = visible;
        runtime.checkpoints().update(name, durable);
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
     * Queues an encoded batch (base offset not yet assigned) for the writer. The future completes
     * when the batch is written or, for {@link Durability#FLUSHED}, fsynced (when fsync is on).
     */
    public CompletableFuture<AppendInfo> append(ByteBuffer batch, Durability durability) {
        CompletableFuture<AppendInfo> result = new CompletableFuture<>();
        IOException failed = failure;
        if (closed || failed != null) {
            result.completeExceptionally(offline(failed));
            return result;
        }
        pending.add(new PendingAppend(batch, durability, result));
        if (drainScheduled.compareAndSet(false, true)) {
            writer.execute(this::drain);
        }
        return result;
    }

    private SluiceException offline(IOException cause) {
        String why = cause == null ? "closed" : "offline after an I/O error: " + cause.getMessage();
        return new SluiceException(ErrorCode.STORAGE_ERROR, "partition " + name + " is " + why, cause);
    }

    private void drain() {
        drainScheduled.set(false);
        List<PendingAppend> batch = new ArrayList<>();
        for (PendingAppend p; (p = pending.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        if (closed || failure != null) {
            batch.forEach(p -> p.result.completeExceptionally(offline(failure)));
            return;
        }
        List<AppendInfo> infos = new ArrayList<>(batch.size());
        try {
            writeAll(batch, infos);
        } catch (IOException | RuntimeException e) {
            failWriter(e instanceof IOException io ? io : new IOException(e));
            batch.forEach(p -> p.result.completeExceptionally(offline(failure)));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            PendingAppend p = batch.get(i);
            AppendInfo info = infos.get(i);
            if (info == null) {
                p.result.completeExceptionally(cannotRoll());
            } else if (p.durability == Durability.WRITTEN || !runtime.fsync()) {
                p.result.complete(info);
            } else {
                flushes.await(info, p.result);
            }
        }
        if (runtime.fsync()) {
            flushes.request();
        } else {
            visible = active.pointNow();
            waiters.fireAll();
        }
    }

    private SluiceException cannotRoll() {
        return new SluiceException(ErrorCode.BROKER_BUSY, "partition " + name + " is full until its next segment "
                + "can be created (" + rollFailure.getMessage() + "); retry later", rollFailure);
    }

    /**
     * Stamps offsets and writes the batches, rolling the active segment where size or age says so.
     * An append that the current segment cannot hold while a roll keeps failing gets a null info.
     */
    private void writeAll(List<PendingAppend> batch, List<AppendInfo> infos) throws IOException {
        long now = runtime.clock().getAsLong();
        List<ByteBuffer> run = new ArrayList<>();
        int runBytes = 0;
        long next = active.nextOffset();
        for (PendingAppend p : batch) {
            int size = p.batch.limit();
            if (active.size() + runBytes > 0 && shouldRoll(active.size() + runBytes + (long) size, next, now)) {
                appendRun(run);
                run.clear();
                runBytes = 0;
                if (!tryRoll(now) && !fits(size, next)) {
                    infos.add(null);
                    continue;
                }
            }
            RecordBatch b = new RecordBatch(p.batch, 0);
            b.setBaseOffset(next);
            b.setPartitionLeaderEpoch(LEADER_EPOCH);
            infos.add(new AppendInfo(next, b.lastOffset()));
            next = b.nextOffset();
            run.add(p.batch);
            runBytes += size;
        }
        appendRun(run);
        logEndOffset = next;
    }

    private boolean shouldRoll(long sizeAfterAppend, long next, long now) {
        LogConfig c = config;
        return sizeAfterAppend > c.segmentBytes() || now - active.createdAtMs() >= c.segmentMs()
                || next - active.baseOffset() > Integer.MAX_VALUE / 2;
    }

    /** Whether the active segment can still take a batch of {@code size} bytes (it holds fewer records than bytes). */
    private boolean fits(int size, long next) {
        return (long) active.size() + size <= Integer.MAX_VALUE && next + size - active.baseOffset() <= Integer.MAX_VALUE;
    }

    private void appendRun(List<ByteBuffer> run) throws IOException {
        if (run.isEmpty()) {
            return;
        }
        int position = active.size();
        long offset = active.nextOffset();
        try {
            active.append(run);
            logEndOffset = active.nextOffset(); // before a roll in this drain may publish a visible end past it
        } catch (IOException e) {
            try {
                active.truncateTo(position, offset);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Closes the active segment durably and starts a new one at the log end offset. A failed fsync
     * of the log is thrown (the log goes offline); failing to write the indexes or to create the next
     * file (EMFILE, a full directory) is not: nothing written is at risk, so appends go on in the
     * current segment and the roll is tried again after {@link #ROLL_RETRY_MS}.
     *
     * @return whether the log rolled
     */
    private boolean tryRoll(long now) throws IOException {
        if (now < nextRollAttemptMs) {
            return false;
        }
        active.flushLog();
        RecoveryPoint sealed = active.pointNow();
        LogSegment next;
        try {
            active.persistIndexesDurably();
            next = LogSegment.create(runtime.io(), runtime.openFiles(), dir, active.nextOffset(),
                    config.indexIntervalBytes(), now);
        } catch (IOException e) {
            nextRollAttemptMs = now + ROLL_RETRY_MS;
            if (rollFailure == null) {
                LOG.log(System.Logger.Level.WARNING, "{0}: could not roll to a new segment at offset {1}; appending to "
                        + "segment {2} and trying again: {3}", name, active.nextOffset(), active.baseOffset(), e.toString());
            }
            rollFailure = e;
            return false;
        }
        if (rollFailure != null) {
            LOG.log(System.Logger.Level.INFO, "{0}: rolled again after a failure to create a segment", name);
            rollFailure = null;
        }
        LogSegment closedSegment = active;
        segments.put(next.baseOffset(), next);
        active = next;
        closedSegment.closeForAppends();
        onDurable(sealed);
        LOG.log(System.Logger.Level.DEBUG, "{0}: rolled to segment {1}", name, next.baseOffset());
        if (config.remoteStorage()) {
            tiering.onSegmentClosed(describe(closedSegment));
        }
        return true;
    }

    /** Writer thread: {@code point} is on disk; what it covers becomes visible and acknowledged. */
    private void onDurable(RecoveryPoint point) {
        if (point.nextOffset() > durable.nextOffset()) {
            durable = point; // before the acknowledgements: a checkpoint written after an ack covers it
            runtime.checkpoints().update(name, point);
        }
        if (point.nextOffset() > visible.nextOffset()) {
            visible = point;
        }
        flushes.completeBelow(point.nextOffset());
        waiters.fireAll();
    }

    private void onFlushFailed(IOException error) {
        failWriter(error);
        flushes.failAll(offline(error));
    }

    private ClosedSegment describe(LogSegment s) {
        return new ClosedSegment(name, s.baseOffset(), s.nextOffset(), s.maxTimestamp(), s.size(), s.file(),
                s.offsetIndexFile(), s.timeIndexFile());
    }

    /** Every closed segment still on disk, oldest first: what a restarted tier checks for upload. */
    public List<ClosedSegment> closedSegments() {
        List<ClosedSegment> closedOnes = new ArrayList<>();
        long visibleBase = visible.segmentBase();
        for (LogSegment s : segments.values()) {
            if (s.baseOffset() < visibleBase) {
                closedOnes.add(describe(s));
            }
        }
        return closedOnes;
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
        if (visible.nextOffset() > offset || closed) {
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
                if (active.size() > 0 && now - active.createdAtMs() >= config.segmentMs() && !tryRoll(now)
                        && rollFailure != null) {
                    throw new UncheckedIOException("rolling " + name + " by segment.ms", rollFailure);
                }
            } catch (IOException e) {
                failWriter(e);
                throw new UncheckedIOException("rolling " + name, e);
            }
            try {
                enforceRetention(now);
                active.persistIndexes();
            } catch (IOException e) {
                throw new UncheckedIOException("maintaining " + name, e);
            }
        }, writer);
    }

    private void enforceRetention(long now) throws IOException {
        for (LogSegment oldest : Retention.expired(segments, config, tiering, now)) {
            segments.remove(oldest.baseOffset());
            logStartOffset = segments.firstKey();
            oldest.delete();
            LOG.log(System.Logger.Level.INFO, "{0}: deleted local segment {1} by retention, local log start is now {2}",
                    name, oldest.baseOffset(), logStartOffset);
        }
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

    public long highWatermark() {
        return visible.nextOffset();
    }

    public int segmentCount() {
        return segments.size();
    }

    /** Bytes of the segments that start at or after {@code offset}. */
    public long sizeInBytesFrom(long offset) {
        long total = 0;
        for (LogSegment s : segments.tailMap(offset, true).values()) {
            total += s.size();
        }
        return total;
    }

    public long sizeInBytes() {
        long total = 0;
        for (LogSegment s : segments.values()) {
            total += s.size();
        }
        return total;
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
                    active.flushLog();
                    onDurable(active.pointNow());
                    active.persistIndexesDurably();
                }
            } catch (IOException e) {
                error = e;
            }
            for (LogSegment s : segments.values()) {
                try {
                    s.close();
                } catch (IOException e) {
                    if (error == null) {
                        error = e;
                    } else {
                        error.addSuppressed(e);
                    }
                }
            }
            flushes.failAll(offline(failure));
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
