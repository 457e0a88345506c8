package io.sluice.log;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The broker's log cleaner: one thread that compacts the logs of compacted topics, dirtiest first,
 * once a log's dirty share reaches {@link CleanerConfig#minCleanableRatio} (or tombstones in it have
 * come of age), with one key map of bounded memory reused by every pass. Each replica cleans its own
 * log (as in Kafka): nothing of it is replicated. A pass that fails is logged and counted; the log
 * stays as it was and is tried again later.
 *
 * <p>The broker {@link #offer}s its compacted logs at every maintenance run and {@link #forget}s a
 * log it closes; {@link #cleanNow} runs a pass at once (tests, operations).
 */
public final class LogCleaner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LogCleaner.class.getName());

    /** What one pass did. */
    public record Pass(boolean ran, long bytesRead, long bytesWritten, int segmentsReplaced, long recordsRemoved) {
    }

    private final CleanerConfig config;
    private final LongSupplier clock;
    private final Set<PartitionLog> logs = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService thread;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile SegmentSwap.StepListener listener = SegmentSwap.StepListener.NONE;
    /** Allocated at the first pass, then reused: the cleaner's whole memory. Guarded by this. */
    private OffsetMap map;

    public LogCleaner(CleanerConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-log-cleaner");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the cleaner thread (nothing when cleaning is disabled). */
    public void start() {
        if (config.enabled()) {
            thread.scheduleWithFixedDelay(this::cleanDirtiest, config.backoffMs(), config.backoffMs(),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Makes {@code log} a candidate while its topic is compacted (called at every maintenance run). */
    public void offer(PartitionLog log) {
        if (config.enabled() && log.config().compact() && log.isOnline()) {
            logs.add(log);
        }
    }

    public void forget(PartitionLog log) {
        logs.remove(log);
    }

    /** Runs one pass over {@code log} at once, however dirty it is, on the caller's thread. */
    public Pass cleanNow(PartitionLog log) throws IOException {
        return pass(log, true);
    }

    /** Passes over the dirtiest eligible logs, each log at most once a run. */
    private void cleanDirtiest() {
        Set<PartitionLog> done = new HashSet<>();
        while (!thread.isShutdown()) {
            PartitionLog dirtiest = null;
            double worst = -1;
            long now = clock.getAsLong();
            for (PartitionLog log : logs) {
                if (!log.isOnline() || !log.config().compact()) {
                    logs.remove(log);
                    continue;
                }
                if (done.contains(log)) {
                    continue;
                }
                Compactor.Dirtiness d = Compactor.dirtiness(log, now);
                boolean eligible = d.tombstonesDue() || (d.ratio() > 0 && d.ratio() >= config.minCleanableRatio());
                if (eligible && d.ratio() > worst) {
                    worst = d.ratio();
                    dirtiest = log;
                }
            }
            if (dirtiest == null) {
                return;
            }
            done.add(dirtiest);
            try {
                pass(dirtiest, false);
            } catch (IOException | RuntimeException e) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.WARNING, "cleaning " + dirtiest.name() + " failed; tried again later", e);
            }
        }
    }

    private synchronized Pass pass(PartitionLog log, boolean force) throws IOException {
        if (map == null) {
            map = new OffsetMap(config.dedupeBufferBytes());
        }
        long start = System.nanoTime();
        Compactor.Result r = new Compactor(log, map, config.readBufferBytes(), listener)
                .run(clock.getAsLong(), config.minCleanableRatio(), force);
        if (r.ran()) {
            passes.incrementAndGet();
            bytesRead.addAndGet(r.bytesRead());
            bytesWritten.addAndGet(r.bytesWritten());
            LOG.log(System.Logger.Level.DEBUG, "{0}: cleaned {1} bytes into {2} ({3} segments replaced, {4} records "
                    + "removed) in {5} ms", log.name(), r.bytesRead(), r.bytesWritten(), r.segmentsReplaced(),
                    r.recordsRemoved(), (System.nanoTime() - start) / 1_000_000);
        }
        return new Pass(r.ran(), r.bytesRead(), r.bytesWritten(), r.segmentsReplaced(), r.recordsRemoved());
    }

    /** Tests: told of every step of every swap (a test throws there to stop as a crash would). */
    void onSwapStep(SegmentSwap.StepListener l) {
        this.listener = l;
    }

    /** Bytes of segments the cleaner read and rewrote, since start. */
    public long bytesCleaned() {
        return bytesRead.get();
    }

    /** Bytes the cleaned segments took, since start. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Passes that ran, since start. */
    public long passes() {
        return passes.get();
    }

    /** Passes that failed, since start (each logged). */
    public long failures() {
        return failures.get();
    }

    public CleanerConfig config() {
        return config;
    }

    /**
     * Stops the thread after the pass in progress, if any (not interrupted: an interrupt would close the
     * shared segment files its reads go through); waits for it at most 30 s.
     */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
