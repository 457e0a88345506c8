package io.sluice.broker;

import io.sluice.cluster.BrokerInfo;
import io.sluice.cluster.MetadataStore;
import io.sluice.cluster.PartitionState;
import io.sluice.cluster.ReassignmentProgress;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.replication.ReplicaManager;
import io.sluice.error.SluiceException;
import io.sluice.group.CommittedOffset;
import io.sluice.group.GroupCoordinator;
import io.sluice.group.GroupDescription;
import io.sluice.group.GroupListing;
import io.sluice.group.HeartbeatReply;
import io.sluice.group.MemberHeartbeat;
import io.sluice.group.OffsetCommit;
import io.sluice.group.OffsetReset;
import io.sluice.log.LogCleaner;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.log.RecoveryCheckpoints;
import io.sluice.log.SegmentFileCache;
import io.sluice.log.StorageIo;
import io.sluice.tier.RemoteLog;
import io.sluice.tier.Tier;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One Sluice broker: the object graph that owns the topics, their logs, the thread pools the logs
 * are written and read on, and the partitioners. The api layer talks to this class only; it knows
 * nothing of HTTP or JSON. The api reaches partitions through {@link #fetch}, {@link #awaitData} and
 * {@link #partitionInfo}, which answer with values and futures and never with a log, so where a
 * partition is led stays hidden below this line. Built directly in tests:
 * {@code new Broker(BrokerConfig.defaults(dir))}.
 */
public final class Broker implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Broker.class.getName());
    /** Held (locked) for the broker's life, as Kafka holds {@code .lock}: one broker per data dir. */
    public static final String LOCK_FILE = ".lock";
    /** How long closing waits for a maintenance pass under way. */
    private static final long MAINTENANCE_STOP_SECONDS = 10;

    private final BrokerConfig config;
    private final FileLock dataDirLock;
    private final SegmentFileCache openFiles;
    private final RecoveryCheckpoints checkpoints;
    private final AtomicLong maintenanceFailures = new AtomicLong();
    private final ExecutorService ioPool;
    private final ExecutorService flushPool;
    private final ExecutorService fetchPool;
    private final ScheduledExecutorService scheduler;
    /**
     * Where log maintenance runs: it fsyncs the checkpoints and walks every partition, and on the
     * timer thread it would hold back every heartbeat, auto-commit and reader's wait behind it.
     */
    private final ScheduledExecutorService maintenance;
    private final Partitioners partitioners = new Partitioners();
    private final Topics topics;
    private final Producer producer;
    private final PartitionReads reads;
    private final BrokerCluster cluster;
    private final MemoryBudget requestMemory;
    private final Tier tier;
    private final LogCleaner cleaner;

    /** A broker that keeps everything on local disk. */
    public Broker(BrokerConfig config) throws IOException {
        this(config, null);
    }

    /**
     * A broker whose closed segments go to {@code tier} (null: none). The caller owns the tier and
     * closes it after the broker.
     */
    public Broker(BrokerConfig config, Tier tier) throws IOException {
        this(config, tier, StorageIo.DEFAULT);
    }

    /**
     * A broker whose logs reach the disk through {@code io}: the real file system, or in tests one
     * that simulates a power cut. Fails fast when another broker holds the data dir.
     */
    public Broker(BrokerConfig config, Tier tier, StorageIo io) throws IOException {
        this.config = config;
        this.tier = tier;
        // The partition directories' parent, created durably (each new level's directory fsynced): a
        // power cut must not take the whole logs/ directory with it on a fresh data dir.
        io.createDirectories(config.dataDir().resolve("logs"));
        this.dataDirLock = lockDataDir(config.dataDir());
        this.ioPool = Executors.newFixedThreadPool(config.ioThreads(), daemonThreads("sluice-io"));
        this.fetchPool = Executors.newFixedThreadPool(config.fetchThreads(), daemonThreads("sluice-fetch"));
        ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, daemonThreads("sluice-scheduler"));
        // Readers wait with a timer each and most waits end early, by data: their timers leave the
        // queue when cancelled instead of piling up there until they would have fired.
        timers.setRemoveOnCancelPolicy(true);
        this.scheduler = timers;
        this.maintenance = Executors.newSingleThreadScheduledExecutor(daemonThreads("sluice-maintenance"));
        this.flushPool = Executors.newFixedThreadPool(config.ioThreads(), daemonThreads("sluice-flush"));
        this.openFiles = new SegmentFileCache(io, config.maxOpenSegmentFiles());
        Topics loaded = null;
        try {
            this.checkpoints = RecoveryCheckpoints.load(io, config.dataDir());
            LogRuntime runtime = new LogRuntime(ioPool, flushPool, System::currentTimeMillis, config.fsync(), io,
                    openFiles, checkpoints);
            loaded = new Topics(config.dataDir(), runtime, config.logDefaults(), partitioners, tier,
                    config.cluster().singleBroker());
            this.topics = loaded;
            this.reads = new PartitionReads(topics, fetchPool, scheduler);
            this.cluster = new BrokerCluster(config.brokerId(), config.dataDir(), config.cluster(), config.groups(),
                    topics, reads, scheduler, fetchPool, System::currentTimeMillis);
            if (tier != null) {
                cluster.replicas().tieredOffsets(new PartitionTierOffsets(topics, tier));
            }
        } catch (IOException | RuntimeException e) {
            if (loaded != null) {
                loaded.close();
            }
            shutDownPools();
            dataDirLock.channel().close();
            throw e;
        }
        this.producer = new Producer(partitioners, config.produceLimits(), System::currentTimeMillis,
                config.logDefaults(), cluster.router());
        this.requestMemory = new MemoryBudget("request memory", config.produceLimits().requestMemoryBytes());
        this.cleaner = new LogCleaner(config.cleaner(), System::currentTimeMillis);
        cleaner.start();
        maintenance.scheduleWithFixedDelay(this::maintainLogs, config.maintenanceIntervalMs(),
                config.maintenanceIntervalMs(), TimeUnit.MILLISECONDS);
    }

    private static FileLock lockDataDir(Path dataDir) throws IOException {
        Path lockFile = dataDir.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Held by another broker in this JVM.
        }
        if (lock == null) {
            channel.close();
            throw new IOException("data dir " + dataDir + " is in use by another broker (" + lockFile
                    + " is locked); stop that broker or choose another sluice.data-dir");
        }
        return lock;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Rolls, retention, uploads, bucket sync and the recovery-point checkpoint. Each partition and
     * each step fails alone: a failure is logged and counted ({@link #maintenanceFailures}), and the
     * rest goes on, now and at every later run (a scheduled task that throws is never run again).
     */
    private void maintainLogs() {
        try {
            for (Topic t : topics.all()) {
                for (Partition p : t.partitions()) {
                    maintainPartition(p);
                }
            }
            step("syncing topics with the bucket", topics::syncWithBucket);
            step("writing the recovery-point checkpoint", () -> {
                try {
                    checkpoints.write();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (Throwable e) {
            maintenanceFailed("maintenance", e);
        }
    }

    private void maintainPartition(Partition p) {
        cleaner.offer(p.log()); // a compacted topic's log: every replica cleans its own
        try {
            p.log().maintain().whenComplete((v, e) -> {
                if (e != null) {
                    maintenanceFailed("maintaining " + p.log().name(), e);
                } else {
                    step("tier upkeep of " + p.log().name(), () -> maintainTier(p));
                }
            });
        } catch (RuntimeException e) {
            maintenanceFailed("maintaining " + p.log().name(), e);
        }
    }

    private void step(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            maintenanceFailed(what, e);
        }
    }

    private void maintenanceFailed(String what, Throwable e) {
        maintenanceFailures.incrementAndGet();
        LOG.log(System.Logger.Level.WARNING, what + " failed; tried again at the next run", SluiceException.causeOf(e));
    }

    /** Maintenance steps that failed since start (each one logged): a metric to alert on. */
    public long maintenanceFailures() {
        return maintenanceFailures.get();
    }

    /** The cleaner of compacted topics' logs (its counters are metrics). */
    public LogCleaner logCleaner() {
        return cleaner;
    }

    /** Files of closed segments open right now, of at most {@link BrokerConfig#maxOpenSegmentFiles} when idle. */
    public int openSegmentFiles() {
        return openFiles.openFiles();
    }

    /**
     * Only a partition's leader writes to the bucket: it takes over uploading at its leader epoch
     * (listing the bucket again first), queues the segments the high watermark has passed, and
     * enforces total retention on the remote segments. A broker that no longer leads stops.
     */
    private void maintainTier(Partition p) {
        if (tier == null || !p.log().config().remoteStorage() || !p.log().isOnline()) {
            return;
        }
        RemoteLog remote = p.remote();
        int epoch = cluster.replicas().leaderEpochIfLeading(new TopicPartition(p.topic(), p.id()));
        if (epoch < 0) {
            if (remote.uploadEpoch() >= 0) {
                tier.stopUploads(remote);
            }
            return;
        }
        if (remote.uploadEpoch() != epoch) {
            if (remote.isLoaded()) { // else the bucket sync loads it first (and reopens an empty log at its end)
                // At epoch 0 no other broker has ever led the partition: the loaded view is complete.
                tier.takeOverUploads(remote, epoch, epoch > 0).thenRun(() -> topics.queueUploads(p));
            }
            return;
        }
        topics.queueUploads(p);
        long remoteEnd = Math.max(0, remote.endOffset());
        tier.enforceRetention(remote, p.log().config(), p.log().sizeInBytesFrom(remoteEnd));
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

    /**
     * The heap that produce requests being read, parsed and answered hold, all clients together;
     * the api reserves a request's share before it reads the body.
     */
    public MemoryBudget requestMemory() {
        return requestMemory;
    }

    // ---- topics -------------------------------------------------------------------------------

    /** Creates a topic; the internal {@code __consumer_offsets} is refused (INVALID_TOPIC): the brokers create it. */
    public Topic createTopic(String name, int partitions, int replicationFactor, Map<String, String> config) {
        InternalTopics.refuseClientChange(name, "creating it");
        return cluster.createTopic(name, partitions, replicationFactor, config, System.currentTimeMillis());
    }

    public Topic topic(String name) {
        return topics.get(name);
    }

    public Collection<Topic> topics() {
        return topics.all();
    }

    /** Deletes a topic; the internal {@code __consumer_offsets} is refused (INVALID_TOPIC). */
    public void deleteTopic(String name) {
        InternalTopics.refuseClientChange(name, "deleting it");
        cluster.deleteTopic(name);
    }

    /** Changes a topic's config; the internal {@code __consumer_offsets} is refused (INVALID_TOPIC). */
    public Topic updateTopicConfig(String name, Map<String, String> changes) {
        InternalTopics.refuseClientChange(name, "changing its config");
        return cluster.updateTopicConfig(name, changes);
    }

    /** Grows a topic; the internal {@code __consumer_offsets} is refused (INVALID_TOPIC). */
    public Topic addPartitions(String name, int newCount) {
        InternalTopics.refuseClientChange(name, "adding partitions");
        return cluster.addPartitions(name, newCount);
    }

    /** Moves partitions' replicas to other brokers: {@code targets} maps a partition to its new replicas. */
    public void reassign(String topic, Map<Integer, List<Integer>> targets) {
        cluster.requestReassignment(topic, targets);
    }

    public List<ReassignmentProgress> reassignments(String topic) {
        return cluster.reassignmentProgress(topic);
    }

    /**
     * The cluster as this broker sees it: its id, the controller, every registered broker, whether it
     * is alive and draining, and how many partitions lack replicas in sync or a leader.
     */
    public ClusterView clusterView() {
        MetadataStore store = cluster.store();
        Set<Integer> live = store.liveBrokers();
        Set<Integer> draining = store.drainingBrokers();
        List<ClusterView.Member> members = store.brokers().values().stream()
                .sorted(java.util.Comparator.comparingInt(BrokerInfo::id))
                .map(b -> new ClusterView.Member(b.id(), b.host(), b.httpPort(), b.rack(), live.contains(b.id()),
                        draining.contains(b.id())))
                .toList();
        long underReplicated = 0;
        long offline = 0;
        for (PartitionState s : store.partitions()) {
            underReplicated += s.isr().size() < s.replicas().size() ? 1 : 0;
            offline += s.hasLeader() ? 0 : 1;
        }
        return new ClusterView(store.clusterId(), store.controllerId(), store.isAvailable() && store.hasQuorum(),
                members, underReplicated, offline);
    }

    /**
     * Drains broker {@code id} of its leaderships (any broker of the cluster may be asked): completes
     * once it leads nothing, or after {@code timeoutMs} with what it still leads. Fails at once with
     * BROKER_NOT_FOUND for an id that never registered.
     */
    public CompletableFuture<DrainStatus> drain(int id, long timeoutMs) {
        return cluster.drain(id, timeoutMs);
    }

    /** Ends the drain of broker {@code id}: it becomes preferred leader again where it is. */
    public DrainStatus undrain(int id) {
        return cluster.undrain(id);
    }

    /**
     * Controlled shutdown: hands this broker's leaderships over before it stops, waiting at most
     * {@link ClusterSettings#shutdownDrainTimeoutMs}; a broker alone skips it. Call before {@link #close}.
     */
    public void drainForShutdown() {
        cluster.drainForShutdown(config.cluster().shutdownDrainTimeoutMs());
    }

    /** Replication counters: ISR shrinks and expands, forwarded requests. */
    public ReplicaManager.ReplicationMetrics replicationMetrics() {
        return cluster.replicas().replicationMetrics();
    }

    /** Partitions this broker leads whose ISR is smaller than their replica set. */
    public long underReplicatedPartitions() {
        int self = config.brokerId();
        return cluster.store().partitions().stream()
                .filter(s -> s.leader() == self && s.isr().size() < s.replicas().size()).count();
    }

    public long forwardedProduces() {
        return cluster.router().forwardedProduces();
    }

    public long forwardedReads() {
        return cluster.router().forwardedReads();
    }

    /**
     * Waits until this broker has joined a quorum of the cluster and taken the role (leader or
     * follower) of each of its replicas: what readiness waits for after a start.
     */
    public boolean awaitRoles(long timeoutMs) {
        return cluster.awaitRoles(timeoutMs);
    }

    // ---- consumer groups ------------------------------------------------------------------------

    /**
     * A member's heartbeat (join, stay, leave), answered by its group's coordinator wherever it is:
     * on this broker or forwarded. Fails with a {@link SluiceException}: UNKNOWN_MEMBER_ID or
     * STALE_MEMBER_EPOCH (join again), COORDINATOR_NOT_AVAILABLE (retry), bad input. Like every
     * group operation here, the future may complete on an inter-broker event loop or a partition's
     * writer: continue elsewhere for anything that blocks.
     */
    public CompletableFuture<HeartbeatReply> heartbeat(MemberHeartbeat heartbeat) {
        return cluster.groups().heartbeat(heartbeat);
    }

    /** Commits a member's offsets through its group's coordinator; completes with what was written. */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> commitOffsets(OffsetCommit commit) {
        return cluster.groups().commit(commit);
    }

    /** Every group of the cluster, from every coordinator. */
    public CompletableFuture<List<GroupListing>> listGroups() {
        return cluster.groups().list();
    }

    /** One group, from its coordinator, with per-partition lag. GROUP_NOT_FOUND when it has nothing. */
    public CompletableFuture<GroupDescription> describeGroup(String groupId) {
        return cluster.groups().describe(groupId);
    }

    /**
     * Moves a group's committed offsets of {@code topic} (every partition, or those listed) to
     * {@code to}, resolved on each partition's leader (earliest: log start; latest: high watermark;
     * a timestamp: the first offset at or after it; an offset: clamped to those two). GROUP_NOT_EMPTY
     * while the group has live members. Completes with what was written.
     */
    public CompletableFuture<Map<TopicPartition, CommittedOffset>> resetGroupOffsets(String groupId, String topic,
            OffsetReset to, List<Integer> partitions) {
        return cluster.groups().reset(groupId, topic, to, partitions);
    }

    /**
     * Where {@code to} points in a partition, answered by its leader wherever it is: earliest is the
     * log start, latest the high watermark, an offset is clamped between them. A reader on a broker
     * that holds no replica of the partition learns where to start from this, not from
     * {@link #partitionInfo}, whose offsets are this broker's replica's.
     */
    public CompletableFuture<Long> resolveOffset(String topic, int partition, OffsetReset to) {
        return cluster.groups().resolve(new TopicPartition(topic, partition), to);
    }

    /** Deletes a group with no live members, and its committed offsets. */
    public CompletableFuture<Void> deleteGroup(String groupId) {
        return cluster.groups().delete(groupId);
    }

    /** A group's committed offsets as this broker's view of the offsets cache holds them. */
    public Map<TopicPartition, CommittedOffset> committedOffsets(String groupId) {
        return cluster.groups().committed(groupId);
    }

    /** This broker's group coordinator: tests move a group's coordination away and back with it (fault injection). */
    GroupCoordinator groupCoordinator() {
        return cluster.groups().coordinator();
    }

    /** Rebalance statistics of the groups this broker coordinates, for metrics. */
    public Map<String, GroupCoordinator.RebalanceStats> groupRebalanceStats() {
        return cluster.groups().rebalanceStats();
    }

    // ---- produce and fetch ----------------------------------------------------------------------

    /**
     * Appends records to a topic. The whole request is validated (topic, partitions, sizes,
     * timestamps, limits) and admitted by each partition's in-flight budget before anything is
     * written; a refusal ({@code THROTTLED} when a partition's budget is full) means nothing was.
     * The reply lists one result per record, in request order. The future completes on a
     * partition's writer thread: continue elsewhere, not to delay its next group commit.
     */
    public CompletableFuture<List<RecordResult>> produce(String topic, List<ProduceRecord> records, Acks acks,
            String partitionerName) {
        Topic t = topics.get(topic);
        InternalTopics.refuseClientChange(topic, "producing to it");
        return producer.produce(t, records, acks, partitionerName);
    }

    /**
     * Reads from a partition at {@code offset}; when the offset is at the high watermark (nothing
     * there yet), waits up to {@code timeoutMs} for an append (long poll). Never blocks: every
     * failure (an unknown topic or partition, an offset out of range, a tier that does not answer)
     * fails the future with a {@link SluiceException}. Completes on the fetch pool.
     */
    public CompletableFuture<FetchResult> fetch(String topic, int partition, long offset, int maxRecords,
            int maxBytes, long timeoutMs) {
        return reads.fetch(topic, partition, offset, maxRecords, maxBytes, timeoutMs, fetchPool);
    }

    /**
     * {@link #fetch(String, int, long, int, int, long)} with the first local read run on
     * {@code readOn}, which may block on file reads: an executor over the {@link #fetchPool}. A
     * reader whose own serial executor runs there passes it, so its reads run in its turn instead
     * of queueing behind every other reader's on the pool (a frame per trip around the queue).
     */
    public CompletableFuture<FetchResult> fetch(String topic, int partition, long offset, int maxRecords,
            int maxBytes, long timeoutMs, Executor readOn) {
        return reads.fetch(topic, partition, offset, maxRecords, maxBytes, timeoutMs, readOn);
    }

    /**
     * Completes when records at or after {@code offset} may be readable, or once {@code timeoutMs}
     * have passed, whichever is first; the caller reads again either way. Fails (a
     * {@link SluiceException}) when the partition cannot be waited on: unknown, or offline. Cancel
     * the future to stop waiting; that releases the wait at once. Completes on the fetch pool, or
     * is complete on return when the records are there already.
     */
    public CompletableFuture<Void> awaitData(String topic, int partition, long offset, long timeoutMs) {
        return reads.awaitData(topic, partition, offset, timeoutMs);
    }

    /** Every partition of {@code topic}, in partition order. Throws TOPIC_NOT_FOUND. */
    public List<PartitionInfo> partitionInfos(String topic) {
        return reads.infos(topic);
    }

    /** One partition of {@code topic}. Throws TOPIC_NOT_FOUND, PARTITION_NOT_FOUND. */
    public PartitionInfo partitionInfo(String topic, int partition) {
        return reads.info(topic, partition);
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

    /** Readiness: in a quorum of the cluster, and every partition log can take writes. */
    public boolean isHealthy() {
        MetadataStore store = cluster.store();
        if (!store.isAvailable() || !cluster.rolesTaken()) {
            return false;
        }
        for (Topic t : topics.all()) {
            for (PartitionLog log : t.logs()) {
                if (!log.isOnline()) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Closes every log (each flushed), writes the recovery points (so the next start scans nothing),
     * and releases the data dir. Goes on through every log and step when one fails.
     */
    @Override
    public void close() {
        cluster.close();
        scheduler.shutdownNow();
        stopMaintenance();
        cleaner.close(); // after its pass: a swap is whole or not begun when the logs close
        for (Topic t : topics.all()) {
            for (PartitionLog log : t.logs()) {
                try {
                    log.close();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "closing " + log.name() + " (its files are closed)", e);
                }
            }
        }
        try {
            topics.close();
            checkpoints.write();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "closing the broker's logs", e);
        } finally {
            openFiles.closeAll();
            shutDownPools();
            try {
                dataDirLock.channel().close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "releasing " + config.dataDir().resolve(LOCK_FILE), e);
            }
        }
    }

    /**
     * Lets a maintenance pass that is under way finish, uninterrupted, before the logs close: an
     * interrupt would abort its checkpoint write, and the pass would walk logs being closed.
     */
    private void stopMaintenance() {
        maintenance.shutdown();
        try {
            if (!maintenance.awaitTermination(MAINTENANCE_STOP_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "a log maintenance pass still runs after {0} s; closing the logs"
                        + " anyway", MAINTENANCE_STOP_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutDownPools() {
        scheduler.shutdownNow();
        maintenance.shutdownNow();
        ioPool.shutdown();
        flushPool.shutdown();
        fetchPool.shutdownNow();
    }

    static SluiceException invalid(String message) {
        return new SluiceException(ErrorCode.INVALID_REQUEST, message);
    }
}
