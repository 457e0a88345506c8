package io.sluice.broker;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.Cancellable;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.log.PartitionLog.ReadResult;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Sluice broker: the object graph that owns the topics, their logs, the thread pools the logs
 * are written and read on, and the partitioners. The api layer talks to this class only; it knows
 * nothing of HTTP or JSON. Built directly in tests: {@code new Broker(BrokerConfig.defaults(dir))}.
 */
public final class Broker implements AutoCloseable {
    private final BrokerConfig config;
    private final ExecutorService ioPool;
    private final ExecutorService flushPool;
    private final ExecutorService fetchPool;
    private final ScheduledExecutorService scheduler;
    private final Partitioners partitioners = new Partitioners();
    private final Topics topics;
    private final Producer producer;
    private final Tier tier;

    /** A broker that keeps everything on local disk. */
    public Broker(BrokerConfig config) throws IOException {
        this(config, null);
    }

    /**
     * A broker whose closed segments go to {@code tier} (null: none). The caller owns the tier and
     * closes it after the broker.
     */
    public Broker(BrokerConfig config, Tier tier) throws IOException {
        this.config = config;
        this.tier = tier;
        this.ioPool = Executors.newFixedThreadPool(config.ioThreads(), daemonThreads("sluice-io"));
        this.fetchPool = Executors.newFixedThreadPool(config.fetchThreads(), daemonThreads("sluice-fetch"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("sluice-scheduler"));
        this.flushPool = Executors.newFixedThreadPool(config.ioThreads(), daemonThreads("sluice-flush"));
        LogRuntime runtime = new LogRuntime(ioPool, flushPool, scheduler, System::currentTimeMillis, config.fsync());
        this.topics = new Topics(config.dataDir(), runtime, config.logDefaults(), partitioners, tier);
        this.producer = new Producer(partitioners);
        scheduler.scheduleWithFixedDelay(this::maintainLogs, config.maintenanceIntervalMs(),
                config.maintenanceIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    private void maintainLogs() {
        for (Topic t : topics.all()) {
            for (Partition p : t.partitions()) {
                p.log().maintain().thenRun(() -> maintainTier(p));
            }
        }
        topics.syncWithBucket();
    }

    private void maintainTier(Partition p) {
        if (tier == null || !p.log().config().remoteStorage() || !p.log().isOnline()) {
            return;
        }
        topics.queueUploads(p);
        long remoteEnd = Math.max(0, p.remote().endOffset());
        tier.enforceRetention(p.remote(), p.log().config(), p.log().sizeInBytesFrom(remoteEnd));
    }

    /** The object-store tier, or null. */
    public Tier tier() {
        return tier;
    }

    public BrokerConfig config() {
        return config;
    }

    public Partitioners partitioners() {
        return partitioners;
    }

    // ---- topics -------------------------------------------------------------------------------

    public Topic createTopic(String name, int partitions, int replicationFactor, Map<String, String> config) {
        return topics.create(name, partitions, replicationFactor, config);
    }

    public Topic topic(String name) {
        return topics.get(name);
    }

    public Collection<Topic> topics() {
        return topics.all();
    }

    public void deleteTopic(String name) {
        topics.delete(name);
    }

    public Topic updateTopicConfig(String name, Map<String, String> changes) {
        return topics.updateConfig(name, changes);
    }

    public Topic addPartitions(String name, int newCount) {
        return topics.addPartitions(name, newCount);
    }

    // ---- produce and fetch ----------------------------------------------------------------------

    /**
     * Appends records to a topic. The whole request is validated (topic, partitions, sizes) before
     * anything is written; the reply lists one result per record, in request order.
     */
    public CompletableFuture<List<RecordResult>> produce(String topic, List<ProduceRecord> records, Acks acks,
            String partitionerName) {
        return producer.produce(topics.get(topic), records, acks, partitionerName);
    }

    /**
     * Reads from a partition at {@code offset}; when nothing is there yet, waits up to
     * {@code timeoutMs} for an append (long poll). Completes on the fetch pool.
     */
    public CompletableFuture<ReadResult> fetch(String topic, int partition, long offset, int maxRecords,
            int maxBytes, long timeoutMs) {
        Partition p = topics.get(topic).partition(partition);
        CompletableFuture<ReadResult> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
        fetchPool.execute(() -> readOrWait(p, offset, maxRecords, maxBytes, deadline, result));
        return result;
    }

    private void readOrWait(Partition partition, long offset, int maxRecords, int maxBytes, long deadline,
            CompletableFuture<ReadResult> result) {
        partition.read(offset, maxBytes, maxRecords).whenComplete((read, error) -> {
            if (error != null) {
                result.completeExceptionally(SluiceException.causeOf(error));
            } else {
                completeOrWait(partition, read, offset, maxRecords, maxBytes, deadline, result);
            }
        });
    }

    private void completeOrWait(Partition partition, ReadResult read, long offset, int maxRecords, int maxBytes,
            long deadline, CompletableFuture<ReadResult> result) {
        PartitionLog log = partition.log();
        long remaining = deadline - System.nanoTime();
        if (!read.records().isEmpty() || remaining <= 0 || !log.isOnline()) {
            result.complete(read);
            return;
        }
        AtomicBoolean resumed = new AtomicBoolean();
        Cancellable[] wait = new Cancellable[1];
        ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
        Runnable onData = () -> {
            if (resumed.compareAndSet(false, true)) {
                if (timer[0] != null) {
                    timer[0].cancel(false);
                }
                fetchPool.execute(() -> readOrWait(partition, offset, maxRecords, maxBytes, deadline, result));
            }
        };
        wait[0] = log.awaitData(offset, onData);
        timer[0] = scheduler.schedule(() -> {
            if (resumed.compareAndSet(false, true)) {
                wait[0].cancel();
                fetchPool.execute(() -> readOrWait(partition, offset, maxRecords, maxBytes, 0, result));
            }
        }, remaining, TimeUnit.NANOSECONDS);
    }

    /** Runs blocking log work (reads, timestamp searches) off the caller's thread. */
    public ExecutorService fetchPool() {
        return fetchPool;
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** First offset at or after {@code timestamp} in a partition (blocking: reads the log). */
    public long offsetForTimestamp(String topic, int partition, long timestamp) {
        return topics.get(topic).log(partition).offsetForTimestamp(timestamp);
    }

    /** Topic definitions found damaged at start and set aside (quarantined), for health. */
    public List<DamagedDefinition> damagedTopicDefinitions() {
        return topics.damaged();
    }

    /** Readiness: every partition log can take writes. */
    public boolean isHealthy() {
        for (Topic t : topics.all()) {
            for (PartitionLog log : t.logs()) {
                if (!log.isOnline()) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        topics.close();
        ioPool.shutdown();
        flushPool.shutdown();
        fetchPool.shutdownNow();
    }

    static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
