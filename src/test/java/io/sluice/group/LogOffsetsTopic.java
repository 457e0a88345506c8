package io.sluice.group;

import io.sluice.log.LogConfig;
import io.sluice.log.LogRecord;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.log.Record;
import io.sluice.log.RecordBatchBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code __consumer_offsets} on real partition logs in a directory, as one broker with replication
 * factor 1 would hold it: an append completes at the high watermark. {@link #reopen} closes every
 * log and opens it again from disk, as a restarted broker does.
 */
final class LogOffsetsTopic implements OffsetsTopic, AutoCloseable {
    private final Path dir;
    private final LongSupplier clock;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final LogRuntime runtime;
    private final Map<Integer, PartitionLog> logs = new ConcurrentHashMap<>();
    /** Appends so far; counted together with the gate each one takes ({@link #holdAppends}). */
    final AtomicInteger appends = new AtomicInteger();
    /** When set, appends wait for it: a test queues commits behind one in flight. */
    volatile CompletableFuture<Void> appendGate = CompletableFuture.completedFuture(null);
    private final Object gateLock = new Object();
    /** When set, replays wait for it: a test sees a partition still loading. */
    volatile CompletableFuture<Void> replayGate = CompletableFuture.completedFuture(null);

    LogOffsetsTopic(Path dir, LongSupplier clock) {
        this.dir = dir;
        this.clock = clock;
        this.runtime = LogRuntime.inMemoryCheckpoints(pool, pool, clock, false);
    }

    PartitionLog log(int partition) {
        return logs.computeIfAbsent(partition, p -> {
            try {
                return PartitionLog.open(NAME + "-" + p, dir.resolve(NAME + "-" + p),
                        LogConfig.defaults().withSegmentBytes(16 * 1024 * 1024), runtime);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<Entry> entries) {
        CompletableFuture<Void> gate;
        synchronized (gateLock) {
            appends.incrementAndGet();
            gate = appendGate;
        }
        List<Record> records = new ArrayList<>();
        for (Entry e : entries) {
            records.add(new Record(e.key(), e.value(), clock.getAsLong(), List.of()));
        }
        PartitionLog log = log(partition);
        return gate.thenCompose(v -> log.appendAsLeader(RecordBatchBuilder.build(records), 0))
                .thenCompose(info -> log.awaitHighWatermark(info.lastOffset() + 1));
    }

    /**
     * Makes the appends from now on wait for {@code gate} and returns how many came before: every
     * append counted past that number waits for it, and every append that waits for it is counted
     * past it. Setting {@link #appendGate} and then reading {@link #appends} is not the same: an append
     * counted between the two would wait for the gate unseen, and a test waiting for the count to
     * move would wait for an append its own held one keeps from being issued.
     */
    int holdAppends(CompletableFuture<Void> gate) {
        synchronized (gateLock) {
            appendGate = gate;
            return appends.get();
        }
    }

    @Override
    public CompletableFuture<Void> replay(int partition, Consumer<Entry> sink) {
        return replayGate.thenRunAsync(() -> {
            PartitionLog log = log(partition);
            long next = log.logStartOffset();
            while (next < log.highWatermark()) {
                PartitionLog.ReadResult r = log.read(next, 1024 * 1024, 10_000);
                for (LogRecord rec : r.records()) {
                    sink.accept(new Entry(rec.key(), rec.value()));
                }
                next = r.nextOffset();
            }
        }, pool);
    }

    /** Every record of a partition, tombstones included, in offset order. */
    List<Entry> entries(int partition) {
        List<Entry> all = new ArrayList<>();
        replay(partition, all::add).join();
        return all;
    }

    /** Closes every log; the next use opens it again from its files. */
    void reopen() {
        logs.values().forEach(PartitionLog::close);
        logs.clear();
    }

    @Override
    public void close() {
        reopen();
        pool.shutdownNow();
    }
}
