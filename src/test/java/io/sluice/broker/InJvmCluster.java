package io.sluice.broker;

import static org.awaitility.Awaitility.await;

import io.sluice.replication.ReplicationSettings;
import io.sluice.testing.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Brokers in one JVM, each with its own data dir under one folder, joined over real JGroups on
 * 127.0.0.1 and replicating with a 2 s replica lag time. Ports are allocated once, so a broker
 * reopened after a stop rejoins on the same addresses.
 */
final class InJvmCluster implements AutoCloseable {
    /** Whether each broker's replication listener gets a port allocated up front or one the kernel picks. */
    enum ReplicationPorts {
        EPHEMERAL, FIXED
    }

    @FunctionalInterface
    interface BrokerFactory {
        Broker open(BrokerConfig config) throws IOException;
    }

    private final Supplier<Path> dir;
    private final Broker[] brokers;
    private final int[] jgroupsPorts;
    private final int[] replicationPorts;
    private UnaryOperator<BrokerConfig> adjustConfig = UnaryOperator.identity();
    private BrokerFactory factory = Broker::new;

    /**
     * {@code dir} is asked for only when a broker is configured, so a test may pass its {@code @TempDir} field
     * before JUnit fills it in.
     */
    InJvmCluster(Supplier<Path> dir, int size, ReplicationPorts replication) {
        this.dir = dir;
        this.brokers = new Broker[size];
        this.jgroupsPorts = new int[size];
        this.replicationPorts = new int[size];
        for (int i = 0; i < size; i++) {
            jgroupsPorts[i] = FreePorts.pair();
            if (replication == ReplicationPorts.FIXED) {
                replicationPorts[i] = FreePorts.single();
            }
        }
    }

    /** Applies {@code adjust} to every broker's config, after the cluster settings are in. */
    InJvmCluster adjustingConfigs(UnaryOperator<BrokerConfig> adjust) {
        this.adjustConfig = adjust;
        return this;
    }

    InJvmCluster openingWith(BrokerFactory factory) {
        this.factory = factory;
        return this;
    }

    /** The live slots: a test may close a broker and put null or a reopened broker in its place. */
    Broker[] brokers() {
        return brokers;
    }

    Path dataDir(int id) {
        return dir.get().resolve("broker-" + id);
    }

    int replicationPort(int id) {
        return replicationPorts[id];
    }

    BrokerConfig config(int id) {
        List<String> members = new ArrayList<>();
        for (int port : jgroupsPorts) {
            members.add("127.0.0.1:" + port);
        }
        ClusterSettings cluster = ClusterSettings.single()
                .withMembers("127.0.0.1", jgroupsPorts[id], replicationPorts[id], members)
                .withHttp("127.0.0.1", 8080 + id)
                .withReplication(ReplicationSettings.defaults().withReplicaLagTimeMaxMs(2_000));
        return adjustConfig.apply(BrokerConfig.defaults(dataDir(id)).withBrokerId(id).withCluster(cluster));
    }

    /** A new broker {@code id}, not put in its slot. */
    Broker open(int id) {
        try {
            return factory.open(config(id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens brokers {@code from} (inclusive) to {@code to} (exclusive) in parallel, each into its slot. */
    void openInParallel(int from, int to) {
        List<CompletableFuture<Broker>> starting = IntStream.range(from, to)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> open(i))).toList();
        for (int i = from; i < to; i++) {
            brokers[i] = starting.get(i - from).join();
        }
    }

    /** Opens every broker and waits until broker 0 sees them all alive. */
    void startAll(Duration wait) {
        openInParallel(0, brokers.length);
        await().atMost(wait).until(() -> brokers[0].clusterView().brokers().stream()
                .filter(ClusterView.Member::alive).count() == brokers.length);
    }

    @Override
    public void close() {
        for (Broker b : brokers) {
            if (b != null) {
                b.close();
            }
        }
    }
}
