package io.sluice.replication;

import io.sluice.cluster.BrokerInfo;
import io.sluice.cluster.InfinispanMetadataStore;
import io.sluice.cluster.TopicPartition;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogConfig;
import io.sluice.log.LogRuntime;
import io.sluice.log.PartitionLog;
import io.sluice.log.PowerLossStorage;
import io.sluice.log.RecoveryCheckpoints;
import io.sluice.log.SegmentFileCache;
import io.sluice.log.StorageIo;
import io.sluice.replication.Messages.EpochEndRequest;
import io.sluice.replication.Messages.EpochEndResponse;
import io.sluice.replication.Messages.FetchRequest;
import io.sluice.replication.Messages.FetchResponse;
import io.sluice.replication.Messages.PositionUpdate;
import io.sluice.replication.Messages.ProduceRequest;
import io.sluice.replication.Messages.ProduceResponse;
import io.sluice.replication.Messages.ReadRequest;
import io.sluice.replication.Messages.ReadResponse;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One broker's replication side in a test: its partition logs (fsync on) under its own data dir,
 * its replication listener on 127.0.0.1 (a new free port at every start), registered in its real
 * metadata store, and a {@link ReplicaManager} whose clients reach the other brokers at the
 * addresses they registered (a broker that registered a new address gets a new client, the old one
 * is closed, as the broker's own client cache does). {@link #stop} takes all of that down and
 * closes the logs; {@link #start} brings it back on the same files.
 */
final class ReplicaNode implements AutoCloseable {
    private record Client(BrokerInfo info, ReplicationClient client) {
    }

    private static final long CLOSE_TIMEOUT_SECONDS = 10;

    final int id;
    final InfinispanMetadataStore store;
    private final Vertx vertx;
    private final Path dataDir;
    private final ReplicationSettings settings;
    private final ExecutorService ioPool;
    private final ExecutorService flushPool;
    private final ExecutorService readPool;
    private final ScheduledExecutorService scheduler;
    private final RecoveryCheckpoints checkpoints = RecoveryCheckpoints.inMemory();
    /** The disk the logs are on: the real file system, or one that loses unsynced bytes at a power loss. */
    private volatile PowerLossStorage disk;
    private volatile LogRuntime runtime;
    private final Map<Integer, Client> clients = new ConcurrentHashMap<>();
    /** The partitions this node holds, with their min.insync.replicas, in the order they were added. */
    private final Map<TopicPartition, Integer> held = new LinkedHashMap<>();
    private final Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private volatile ReplicaManager manager;
    private volatile ReplicationServer server;
    /** While set, this node does not hear the store's partition events (a broker that has not heard yet). */
    volatile boolean deaf;

    ReplicaNode(int id, InfinispanMetadataStore store, Vertx vertx, Path dataDir, ReplicationSettings settings) {
        this.id = id;
        this.store = store;
        this.vertx = vertx;
        this.dataDir = dataDir;
        this.settings = settings;
        this.ioPool = Executors.newFixedThreadPool(2, named("io"));
        this.flushPool = Executors.newFixedThreadPool(2, named("flush"));
        this.readPool = Executors.newFixedThreadPool(2, named("read"));
        this.scheduler = Executors.newScheduledThreadPool(1, named("scheduler"));
        this.runtime = runtimeOn(StorageIo.DEFAULT);
    }

    /** Recovery points live in memory and survive a power loss here, as a durable checkpoint file does. */
    private LogRuntime runtimeOn(StorageIo io) {
        return new LogRuntime(ioPool, flushPool, System::currentTimeMillis, true, io,
                new SegmentFileCache(io, SegmentFileCache.DEFAULT_MAX_OPEN), checkpoints);
    }

    /** From the next start on, the logs are on a disk that forgets what was not fsynced at {@link #powerLoss}. */
    synchronized void usePowerLossDisk() {
        if (manager != null) {
            throw new IllegalStateException("stop node " + id + " first");
        }
        disk = new PowerLossStorage();
        runtime = runtimeOn(disk);
    }

    /**
     * Cuts this node's power: its disk keeps only what was fsynced and fails from now on; replication
     * stops. {@link #start} brings the node back on what its disk kept.
     */
    synchronized void powerLoss() throws IOException {
        disk.powerLoss();
        stop(false);
        disk = new PowerLossStorage();
        runtime = runtimeOn(disk);
    }

    private ThreadFactory named(String what) {
        return r -> {
            Thread t = new Thread(r, "node-" + id + "-" + what);
            t.setDaemon(true);
            return t;
        };
    }

    /** Starts the listener, registers its address, starts a manager and opens every held partition's log. */
    synchronized void start() {
        if (manager != null) {
            throw new IllegalStateException("node " + id + " runs already");
        }
        ReplicationServer listening = new ReplicationServer(vertx, ReplicationServer.Options.defaults("127.0.0.1", 0),
                new Handler());
        int port = listening.start().join();
        server = listening;
        store.register(new BrokerInfo(id, "127.0.0.1", 8080 + id, "127.0.0.1", port, null));
        manager = new ReplicaManager(id, store, settings, this::client, scheduler, readPool, System::currentTimeMillis);
        held.forEach(this::openAndRegister);
    }

    /** Adds a partition to this node: opens its log, registers it and applies the stored state. */
    synchronized PartitionLog hold(TopicPartition tp, int minInsyncReplicas) {
        held.put(tp, minInsyncReplicas);
        if (manager != null) {
            openAndRegister(tp, minInsyncReplicas);
        }
        return logs.get(tp);
    }

    private void openAndRegister(TopicPartition tp, int minIsr) {
        PartitionLog log;
        try {
            log = PartitionLog.open(tp.toString(), dataDir.resolve(tp.toString()), LogConfig.defaults(), runtime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logs.put(tp, log);
        ReplicaManager m = manager;
        m.register(tp, log, () -> minIsr);
        store.partition(tp).ifPresent(m::apply);
    }

    /**
     * Closes a partition's log and registers it again, reopened, with the running manager (as the
     * broker does when it reopens a log): the replica must keep its role on the new log.
     */
    synchronized PartitionLog reopen(TopicPartition tp) {
        closeWithin(logs.remove(tp), CLOSE_TIMEOUT_SECONDS);
        PartitionLog log;
        try {
            log = PartitionLog.open(tp.toString(), dataDir.resolve(tp.toString()), LogConfig.defaults(), runtime);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logs.put(tp, log);
        int minIsr = held.get(tp);
        manager().register(tp, log, () -> minIsr);
        return log;
    }

    /** The store changed a partition: apply its current state, as the broker's metadata listener does. */
    void partitionChanged(TopicPartition tp) {
        ReplicaManager m = manager;
        if (!deaf && m != null) {
            store.partition(tp).ifPresent(m::apply);
        }
    }

    ReplicaManager manager() {
        ReplicaManager m = manager;
        if (m == null) {
            throw new IllegalStateException("node " + id + " is stopped");
        }
        return m;
    }

    PartitionLog log(TopicPartition tp) {
        return logs.get(tp);
    }

    boolean running() {
        return manager != null;
    }

    /** Stops replication on this node (manager, listener, clients) and closes its logs; the files stay. */
    synchronized void stop() {
        stop(true);
    }

    private void stop(boolean diskWorks) {
        ReplicaManager m = manager;
        if (m == null) {
            return;
        }
        manager = null;
        m.close();
        server.close();
        server = null;
        clients.values().forEach(c -> c.client.close());
        clients.clear();
        for (PartitionLog log : logs.values()) {
            try {
                closeWithin(log, CLOSE_TIMEOUT_SECONDS);
            } catch (AssertionError e) {
                if (diskWorks || e.getMessage().contains("stuck")) {
                    throw e;
                }
            }
        }
        logs.clear();
    }

    /** A log whose writer is stuck (a deadlock in replication) fails the test instead of hanging it. */
    private static void closeWithin(PartitionLog log, long seconds) {
        try {
            CompletableFuture.runAsync(log::close).get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(log.name() + " did not close within " + seconds + " s: its writer is stuck");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException e) {
            throw new AssertionError("closing " + log.name(), e.getCause());
        }
    }

    private ReplicationClient client(int brokerId) {
        BrokerInfo info = store.brokers().get(brokerId);
        if (info == null) {
            throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "broker " + brokerId + " is not registered");
        }
        return clients.compute(brokerId, (k, old) -> {
            if (old != null && old.info.equals(info)) {
                return old;
            }
            if (old != null) {
                old.client.close();
            }
            return new Client(info, new ReplicationClient(vertx, ReplicationClient.Options.defaults("127.0.0.1"),
                    info.replicationHost(), info.replicationPort()));
        }).client;
    }

    @Override
    public void close() {
        stop();
        scheduler.shutdownNow();
        readPool.shutdownNow();
        ioPool.shutdownNow();
        flushPool.shutdownNow();
    }

    /** The listener's handler: follower requests go to the current manager; forwarding is not tested here. */
    private final class Handler implements RequestHandler {
        @Override
        public CompletableFuture<FetchResponse> fetch(FetchRequest request) {
            ReplicaManager m = manager;
            return m == null ? stopped() : m.leaderSide().fetch(request);
        }

        @Override
        public void position(PositionUpdate update) {
            ReplicaManager m = manager;
            if (m != null) {
                m.leaderSide().position(update);
            }
        }

        @Override
        public CompletableFuture<EpochEndResponse> epochEnd(EpochEndRequest request) {
            ReplicaManager m = manager;
            return m == null ? stopped() : m.leaderSide().epochEnd(request);
        }

        private <T> CompletableFuture<T> stopped() {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.NOT_LEADER_OR_FOLLOWER,
                    "node " + id + " is stopping"));
        }

        @Override
        public CompletableFuture<ProduceResponse> produce(ProduceRequest request) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.UNSUPPORTED, "not in this test"));
        }

        @Override
        public CompletableFuture<ReadResponse> read(ReadRequest request) {
            return CompletableFuture.failedFuture(new SluiceException(ErrorCode.UNSUPPORTED, "not in this test"));
        }
    }
}
