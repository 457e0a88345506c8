package io.sluice.log;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One partition's log: an ordered set of segments, the last of which takes appends. Owns the
 * invariants that offsets are dense and increasing, that a reader never sees bytes that are not
 * yet durable (when fsync is on), and that a torn tail is cut away on open.
 *
 * <p>Appends are queued and drained by a single writer ({@link SerialExecutor}); everything queued
 * while one drain fsyncs goes to disk in the next drain's single write and single fsync (group
 * commit). Readers never take a lock: they read a published {@link VisibleEnd} and positional
 * reads below it.
 */
public final class PartitionLog implements AutoCloseable {
    /**
     * The leader epoch stamped into every batch at append (the CRC does not cover it), as Kafka's
     * leader does: one broker, never re-elected, leads at epoch 0; describe reports the same.
     */
    public static final int LEADER_EPOCH = 0;
    private static final System.Logger LOG = System.getLogger(PartitionLog.class.getName());
    /** How long a deleted segment's file stays open for readers that already hold it. */
    private static final long FILE_DELETE_DELAY_MS = 30_000;

    /** When an append is acknowledged: once written (acks=1) or once fsynced (acks=all). */
    public enum Durability { WRITTEN, FLUSHED }

    public record AppendInfo(long baseOffset, long lastOffset) {
    }

    public record ReadResult(List<LogRecord> records, long nextOffset, long highWatermark, long logStartOffset) {
    }

    /** The end of what readers may see: an offset and where it sits in the log's files. */
    private record VisibleEnd(long offset, long segmentBase, int position) {
    }

    private record PendingAppend(ByteBuffer batch, Durability durability, CompletableFuture<AppendInfo> result) {
    }

    private record AwaitingFlush(AppendInfo info, CompletableFuture<AppendInfo> result) {
    }

    private final String name;
    private final Path dir;
    private final LogRuntime runtime;
    private final SegmentTiering tiering;
    private final SerialExecutor writer;
    private final ConcurrentSkipListMap<Long, LogSegment> segments = new ConcurrentSkipListMap<>();
    private final Queue<PendingAppend> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AppendWaiters waiters = new AppendWaiters();
    /** Appends written but not yet fsynced, in offset order (writer thread only). */
    private final java.util.ArrayDeque<AwaitingFlush> awaitingFlush = new java.util.ArrayDeque<>();
    private boolean flushInFlight;
    private volatile LogConfig config;
    private volatile VisibleEnd visible;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile IOException failure;
    private volatile boolean closed;
    private LogSegment active;

    private PartitionLog(String name, Path dir, LogConfig config, LogRuntime runtime, SegmentTiering tiering) {
        this.name = name;
        this.dir = dir;
        this.config = config;
        this.runtime = runtime;
        this.tiering = tiering;
        this.writer = new SerialExecutor(runtime.ioPool());
    }

    /**
     * Opens the log in {@code dir}, creating it if needed. Closed segments are opened from their
     * indexes; the last segment is validated from its last index entry and its torn or corrupt
     * tail truncated, so recovery time does not grow with the size of the log.
     */
    public static PartitionLog open(String name, Path dir, LogConfig config, LogRuntime runtime) throws IOException {
        return open(name, dir, config, runtime, SegmentTiering.NONE, 0);
    }

    /**
     * Opens the log with a tier. {@code initialOffset} is where an empty log starts: after the
     * tier's last offset when the disk was lost, so offsets continue where the bucket ends.
     */
    public static PartitionLog open(String name, Path dir, LogConfig config, LogRuntime runtime,
            SegmentTiering tiering, long initialOffset) throws IOException {
        Files.createDirectories(dir);
        PartitionLog log = new PartitionLog(name, dir, config, runtime, tiering);
        log.loadSegments(initialOffset);
        return log;
    }

    private void loadSegments(long initialOffset) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String file = f.getFileName().toString();
                if (file.endsWith(LogSegment.LOG_SUFFIX)) {
                    bases.add(Long.parseLong(file.substring(0, file.length() - LogSegment.LOG_SUFFIX.length())));
                }
            }
        }
        bases.sort(Comparator.naturalOrder());
        int interval = config.indexIntervalBytes();
        for (int i = 0; i < bases.size() - 1; i++) {
            segments.put(bases.get(i), LogSegment.openClosed(dir, bases.get(i), bases.get(i + 1), interval));
        }
        if (bases.isEmpty()) {
            active = LogSegment.create(dir, initialOffset, interval, runtime.clock().getAsLong());
        } else {
            long last = bases.get(bases.size() - 1);
            active = LogSegment.openActive(dir, last, interval);
        }
        segments.put(active.baseOffset(), active);
        logStartOffset = segments.firstKey();
        logEndOffset = active.nextOffset();
        publishVisibleEnd();
    }

    private void publishVisibleEnd() {
        visible = new VisibleEnd(active.nextOffset(), active.baseOffset(), active.size());
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
            if (p.durability == Durability.WRITTEN || !runtime.fsync()) {
                p.result.complete(infos.get(i));
            } else {
                awaitingFlush.add(new AwaitingFlush(infos.get(i), p.result));
            }
        }
        if (runtime.fsync()) {
            requestFlush();
        } else {
            publishVisibleEnd();
            waiters.fireAll();
        }
    }

    /**
     * Starts an fsync of everything written so far, unless one is running: then the next one
     * starts when it ends. The writer goes on writing while an fsync runs, so one fsync covers
     * every append that arrived during the previous one (pipelined group commit). Writer thread only.
     */
    private void requestFlush() {
        if (flushInFlight) {
            return;
        }
        flushInFlight = true;
        VisibleEnd target = new VisibleEnd(active.nextOffset(), active.baseOffset(), active.size());
        LogSegment segment = active;
        runtime.flushPool().execute(() -> {
            IOException error = null;
            try {
                segment.flush();
            } catch (IOException e) {
                error = e;
            }
            IOException failed = error;
            writer.execute(() -> flushed(target, failed));
        });
    }

    /** Writer thread: an fsync ended; what it covered becomes visible and acknowledged. */
    private void flushed(VisibleEnd target, IOException error) {
        flushInFlight = false;
        if (closed) {
            return;
        }
        if (error != null) {
            // After a failed fsync the page cache can no longer be trusted (fsyncgate): go offline.
            failWriter(error);
            for (AwaitingFlush a; (a = awaitingFlush.poll()) != null; ) {
                a.result.completeExceptionally(offline(error));
            }
            return;
        }
        makeDurable(target);
        if (active.nextOffset() > target.offset) {
            requestFlush();
        }
    }

    private void makeDurable(VisibleEnd end) {
        if (end.offset > visible.offset) {
            visible = end;
        }
        while (!awaitingFlush.isEmpty() && awaitingFlush.peek().info.lastOffset() < end.offset) {
            AwaitingFlush a = awaitingFlush.poll();
            a.result.complete(a.info);
        }
        waiters.fireAll();
    }

    /** Stamps offsets and writes the batches, rolling the active segment where size or age says so. */
    private void writeAll(List<PendingAppend> batch, List<AppendInfo> infos) throws IOException {
        long now = runtime.clock().getAsLong();
        List<ByteBuffer> run = new ArrayList<>();
        int runBytes = 0;
        long next = active.nextOffset();
        for (PendingAppend p : batch) {
            int size = p.batch.limit();
            if (active.size() + runBytes > 0 && shouldRoll(active.size() + runBytes + (long) size, now)) {
                appendRun(run, runBytes);
                run.clear();
                runBytes = 0;
                roll(now);
            }
            RecordBatch b = new RecordBatch(p.batch, 0);
            b.setBaseOffset(next);
            b.setPartitionLeaderEpoch(LEADER_EPOCH);
            infos.add(new AppendInfo(next, b.lastOffset()));
            next = b.nextOffset();
            run.add(p.batch);
            runBytes += size;
        }
        appendRun(run, runBytes);
        logEndOffset = next;
    }

    private boolean shouldRoll(long sizeAfterAppend, long now) {
        LogConfig c = config;
        return sizeAfterAppend > c.segmentBytes() || now - active.createdAtMs() >= c.segmentMs()
                || logEndOffset - active.baseOffset() > Integer.MAX_VALUE / 2;
    }

    private void appendRun(List<ByteBuffer> run, int runBytes) throws IOException {
        if (run.isEmpty()) {
            return;
        }
        int position = active.size();
        long offset = active.nextOffset();
        try {
            active.append(run);
        } catch (IOException e) {
            try {
                active.truncateTo(position, offset);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Closes the active segment durably and starts a new one at the log end offset. */
    private void roll(long now) throws IOException {
        active.sealTimeIndex();
        active.flushAll();
        LogSegment closed = active;
        LogSegment next = LogSegment.create(dir, active.nextOffset(), config.indexIntervalBytes(), now);
        segments.put(next.baseOffset(), next);
        active = next;
        LOG.log(System.Logger.Level.DEBUG, "{0}: rolled to segment {1}", name, next.baseOffset());
        if (config.remoteStorage()) {
            tiering.onSegmentClosed(describe(closed));
        }
    }

    private ClosedSegment describe(LogSegment s) {
        return new ClosedSegment(name, s.baseOffset(), s.nextOffset(), s.maxTimestamp(), s.size(), s.file(),
                SparseIndex.path(dir, s.baseOffset(), SparseIndex.Kind.OFFSET),
                SparseIndex.path(dir, s.baseOffset(), SparseIndex.Kind.TIME));
    }

    /** Every closed segment still on disk, oldest first: what a restarted tier checks for upload. */
    public List<ClosedSegment> closedSegments() {
        List<ClosedSegment> closed = new ArrayList<>();
        for (LogSegment s : segments.values()) {
            if (s.baseOffset() < visible.segmentBase) {
                closed.add(describe(s));
            }
        }
        return closed;
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
        for (int attempt = 0; ; attempt++) {
            try {
                return readOnce(offset, maxBytes, maxRecords);
            } catch (ClosedChannelException e) {
                if (closed || attempt > 2) {
                    throw new SluiceException(ErrorCode.STORAGE_ERROR, "partition " + name + " is closed", e);
                }
                // Retention removed the segment under us: look again, the offset may now be out of range.
            } catch (IOException e) {
                throw new SluiceException(ErrorCode.STORAGE_ERROR, "reading " + name + " at offset " + offset
                        + ": " + e.getMessage(), e);
            }
        }
    }

    private ReadResult readOnce(long offset, int maxBytes, int maxRecords) throws IOException {
        VisibleEnd end = visible;
        long start = logStartOffset;
        if (offset < start || offset > logEndOffset) {
            throw SluiceException.offsetOutOfRange(name, offset, start, logEndOffset);
        }
        List<LogRecord> records = new ArrayList<>();
        if (offset >= end.offset) {
            return new ReadResult(records, offset, end.offset, start);
        }
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(offset);
        while (entry != null && entry.getKey() <= end.segmentBase) {
            LogSegment segment = entry.getValue();
            int limit = segment.baseOffset() == end.segmentBase ? end.position : segment.size();
            int position = segment.positionOf(offset, limit);
            if (position >= 0) {
                ByteBuffer bytes = segment.read(position, limit, maxBytes);
                RecordBatches.decode(bytes, offset, maxRecords, segment.file().toString(), position, records);
                long next = records.isEmpty() ? offset : records.get(records.size() - 1).offset() + 1;
                return new ReadResult(records, next, end.offset, start);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return new ReadResult(records, offset, end.offset, start);
    }

    /** First offset whose timestamp is at or after {@code timestamp}, or the high watermark if none. */
    public long offsetForTimestamp(long timestamp) {
        VisibleEnd end = visible;
        try {
            for (LogSegment segment : segments.values()) {
                if (segment.baseOffset() > end.segmentBase) {
                    break;
                }
                if (segment.maxTimestamp() < timestamp) {
                    continue;
                }
                int limit = segment.baseOffset() == end.segmentBase ? end.position : segment.size();
                long found = segment.offsetForTimestamp(timestamp, limit);
                if (found >= 0) {
                    return found;
                }
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.STORAGE_ERROR, "searching " + name + " by timestamp: " + e, e);
        }
        return end.offset;
    }

    /**
     * Calls {@code callback} once, as soon as data at or above {@code offset} is visible (at once
     * if it already is). Runs on the writer's thread: the callback must only hand work off.
     */
    public Cancellable awaitData(long offset, Runnable callback) {
        AppendWaiters.Waiter waiter = waiters.add(callback);
        if (visible.offset > offset || closed) {
            waiter.fire();
        }
        return waiter;
    }

    /**
     * Periodic upkeep on the writer: rolls an idle active segment past {@code segment.ms} and deletes
     * whole segments past {@code retention.ms} or {@code retention.bytes}, never the active one.
     */
    public CompletableFuture<Void> maintain() {
        return CompletableFuture.runAsync(() -> {
            if (closed || failure != null) {
                return;
            }
            long now = runtime.clock().getAsLong();
            try {
                if (active.size() > 0 && now - active.createdAtMs() >= config.segmentMs()) {
                    roll(now);
                    publishVisibleEnd();
                }
                enforceRetention(now);
            } catch (IOException e) {
                failWriter(e);
            }
        }, writer);
    }

    /**
     * Deletes whole closed segments from the oldest on. Without a tier, past total retention
     * ({@code retention.ms/bytes}). With one, only once the segment's upload is confirmed, and then
     * past the local retention ({@code local.retention.*}) or the total one.
     */
    private void enforceRetention(long now) throws IOException {
        LogConfig c = config;
        long total = sizeInBytes();
        while (segments.size() > 1) {
            LogSegment oldest = segments.firstEntry().getValue();
            boolean pastTotal = past(c.retentionMs(), c.retentionBytes(), oldest, total, now);
            boolean deletable = c.remoteStorage()
                    ? tiering.isUploaded(oldest.baseOffset())
                            && (pastTotal || past(c.effectiveLocalRetentionMs(), c.effectiveLocalRetentionBytes(),
                                    oldest, total, now))
                    : pastTotal;
            if (!deletable) {
                return;
            }
            segments.remove(oldest.baseOffset());
            logStartOffset = segments.firstKey();
            total -= oldest.size();
            deleteLater(oldest);
            LOG.log(System.Logger.Level.INFO, "{0}: deleted local segment {1} by retention, local log start is now {2}",
                    name, oldest.baseOffset(), logStartOffset);
        }
    }

    private static boolean past(long retentionMs, long retentionBytes, LogSegment oldest, long total, long now) {
        boolean overSize = retentionBytes >= 0 && total - oldest.size() >= retentionBytes;
        boolean expired = retentionMs >= 0 && oldest.maxTimestamp() >= 0 && now - oldest.maxTimestamp() > retentionMs;
        return overSize || expired;
    }

    /** Unlinks the files now; closes them after a delay so a reader that holds them can finish. */
    private void deleteLater(LogSegment segment) throws IOException {
        segment.delete(false);
        runtime.scheduler().schedule(() -> {
            try {
                segment.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing deleted segment " + segment.file(), e);
            }
        }, FILE_DELETE_DELAY_MS, TimeUnit.MILLISECONDS);
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
        return visible.offset;
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

    /** Waits for queued appends, makes the active segment durable and closes every file. */
    @Override
    public void close() {
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            closed = true;
            try {
                if (failure == null) {
                    active.flushAll();
                    makeDurable(new VisibleEnd(active.nextOffset(), active.baseOffset(), active.size()));
                }
                for (LogSegment s : segments.values()) {
                    s.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("closing " + name, e);
            } finally {
                waiters.fireAll();
            }
        }, writer);
        writer.execute(this::drain); // fails anything queued after the close
        done.join();
    }

    /** Closes the log and deletes its directory. */
    public void delete() throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
