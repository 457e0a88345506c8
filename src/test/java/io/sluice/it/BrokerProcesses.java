package io.sluice.it;

import io.sluice.testing.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * N broker processes of one cluster on one machine, each on its own loopback address
 * ({@code 127.0.0.11}, {@code .12}, ...) with its own data dir under {@code target/it-data}, and
 * (by default) one standalone object store that they all share.
 *
 * <p>Each broker {@code i} gets {@code sluice.broker-id=i}, HTTP on its address, and the cluster
 * settings of API.md: {@code sluice.cluster.bind-port} (JGroups), {@code sluice.replication.port},
 * {@code sluice.cluster.bind-address} (its own address), and {@code sluice.cluster.members} listing
 * every broker's {@code address:bind-port}, so the brokers form one cluster. Ports are free ports
 * of the broker's address, chosen once and kept across restarts so the member list stays true.
 * With the shared store they share one bucket and one prefix (the cluster name), as a cluster does.
 *
 * <p>As a JUnit extension ({@code @RegisterExtension static final BrokerProcesses ...}) it starts
 * the store and launches every broker before the class's tests, then waits for all of them to be
 * ready (brokers of a cluster may wait for each other); after a failed test it prints the tail of
 * every broker's output; after the class it kills what runs. It is also {@link AutoCloseable}
 * for use without the extension ({@link #start} and {@link #close}).
 */
public final class BrokerProcesses implements BeforeAllCallback, AfterTestExecutionCallback, AfterAllCallback,
        AutoCloseable {
    /** Broker {@code i} runs on {@code 127.0.0.(FIRST_ADDRESS_OCTET + i)}. */
    public static final int FIRST_ADDRESS_OCTET = 11;
    private static final int TAIL_BYTES = 6144;
    /**
     * JVM options of the brokers: several broker JVMs start at once on a small CI machine, where
     * the C2 compiler and parallel GC threads of each make a start take a minute; the client
     * compiler alone and the serial collector start them in a fraction of that.
     */
    private static final String TEST_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";

    private final String name;
    private final int count;
    private final boolean sharedStore;
    private final Map<String, String> properties;
    private final Map<Integer, Map<String, String>> brokerProperties;
    private final List<BrokerProcess> brokers = new ArrayList<>();
    /** One client per broker: each holds an HTTP client with its own threads, too many to make per call. */
    private final Map<Integer, BrokerClient> clients = new java.util.concurrent.ConcurrentHashMap<>();
    private StoreProcess store;

    private BrokerProcesses(Builder builder) {
        this.name = builder.name;
        this.count = builder.count;
        this.sharedStore = builder.sharedStore;
        this.properties = new LinkedHashMap<>(builder.properties);
        this.brokerProperties = new LinkedHashMap<>(builder.brokerProperties);
    }

    /** A cluster named {@code name} (its logs and data dirs start with it) of three brokers and a shared store. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Settings of a {@link BrokerProcesses}, before anything starts. */
    public static final class Builder {
        private final String name;
        private int count = 3;
        private boolean sharedStore = true;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<Integer, Map<String, String>> brokerProperties = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        public Builder brokers(int count) {
            if (count < 1 || count > 100) {
                throw new IllegalArgumentException("brokers=" + count + ": between 1 and 100");
            }
            this.count = count;
            return this;
        }

        /** false: no standalone store; each broker starts its embedded one under its data dir. */
        public Builder sharedStore(boolean sharedStore) {
            this.sharedStore = sharedStore;
            return this;
        }

        /** A {@code -D} property for every broker (it overrides the fixture's own). */
        public Builder property(String key, String value) {
            properties.put(key, value);
            return this;
        }

        /** A {@code -D} property for broker {@code id} only (it overrides every other). */
        public Builder brokerProperty(int id, String key, String value) {
            brokerProperties.computeIfAbsent(id, i -> new LinkedHashMap<>()).put(key, value);
            return this;
        }

        public BrokerProcesses build() {
            return new BrokerProcesses(this);
        }
    }

    /** Starts the store, launches every broker, and waits until every one is ready. */
    public BrokerProcesses start() {
        if (!brokers.isEmpty()) {
            throw new IllegalStateException(name + " is already started");
        }
        try {
            if (sharedStore) {
                store = StoreProcess.start(name + "-store", BrokerProcess.freshDataDir(name + "-store"));
            }
            List<String> addresses = new ArrayList<>();
            List<Integer> clusterPorts = new ArrayList<>();
            for (int id = 0; id < count; id++) {
                addresses.add(address(id));
                clusterPorts.add(freePort(address(id)));
            }
            String members = java.util.stream.IntStream.range(0, count)
                    .mapToObj(id -> addresses.get(id) + ":" + clusterPorts.get(id)).collect(Collectors.joining(","));
            for (int id = 0; id < count; id++) {
                String address = addresses.get(id);
                Map<String, String> props = new LinkedHashMap<>();
                props.put("sluice.broker-id", Integer.toString(id));
                props.put("sluice.cluster.bind-address", address);
                props.put("sluice.cluster.bind-port", Integer.toString(clusterPorts.get(id)));
                props.put("sluice.cluster.members", members);
                props.put("sluice.replication.port", Integer.toString(freePort(address)));
                if (store != null) {
                    props.putAll(store.brokerProperties("sluice"));
                }
                props.putAll(properties);
                props.putAll(brokerProperties.getOrDefault(id, Map.of()));
                String brokerName = name + "-broker-" + id;
                brokers.add(BrokerProcess.on(brokerName, address, freePort(address),
                        BrokerProcess.freshDataDir(brokerName), props, Map.of("JAVA_TOOL_OPTIONS", TEST_JVM_OPTIONS)));
            }
            brokers.forEach(BrokerProcess::launch);
            brokers.forEach(BrokerProcess::awaitReady);
            return this;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The loopback address of broker {@code id}. */
    public static String address(int id) {
        return "127.0.0." + (FIRST_ADDRESS_OCTET + id);
    }

    public BrokerProcess broker(int id) {
        if (id < 0 || id >= brokers.size()) {
            throw new IllegalArgumentException("broker " + id + ": " + name + " has brokers 0.." + (brokers.size() - 1));
        }
        return brokers.get(id);
    }

    /** Broker {@code id}'s REST API; the client follows the broker across restarts (same address and port). */
    public BrokerClient client(int id) {
        return clients.computeIfAbsent(id, i -> new BrokerClient(broker(i)));
    }

    public int size() {
        return brokers.size();
    }

    /** The shared store; fails when the cluster runs without one. */
    public StoreProcess store() {
        if (store == null) {
            throw new IllegalStateException(name + " has no shared store");
        }
        return store;
    }

    /** SIGKILL: no shutdown hook runs, nothing unsynced survives. */
    public void kill9(int id) {
        broker(id).kill9();
    }

    /** SIGSTOP: frozen with its sockets open, as in a long pause. */
    public void pause(int id) {
        broker(id).pause();
    }

    /** SIGCONT after {@link #pause}. */
    public void resume(int id) {
        broker(id).resume();
    }

    /** SIGTERM, waiting for a clean exit; returns the exit code. */
    public int stop(int id) {
        return broker(id).stop();
    }

    /** Stops broker {@code id} gracefully if it runs, then starts it on the same address, ports and data dir. */
    public BrokerProcess restart(int id) {
        return broker(id).restart();
    }

    /** Every broker's output, the last few KiB each, and the store's, for a failure report. */
    public String tails() {
        StringBuilder out = new StringBuilder();
        for (BrokerProcess broker : brokers) {
            out.append("\n---- last output of ").append(broker.name()).append(" (").append(broker.logFile())
                    .append(broker.isPaused() ? ", paused" : broker.isAlive() ? ", running" : ", not running").append(") ----\n")
                    .append(broker.tail(TAIL_BYTES));
        }
        if (store != null) {
            out.append("\n---- last output of ").append(store.name()).append(" ----\n").append(store.tail());
        }
        return out.toString();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isPresent()) {
            System.err.println(context.getDisplayName() + " failed; the brokers of " + name + ":" + tails());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Kills every broker (paused ones too) and the store. */
    @Override
    public void close() {
        brokers.forEach(BrokerProcess::close);
        if (store != null) {
            store.close();
        }
    }

    /** A port free on {@code address}, outside the ephemeral range that outgoing connections take ports from. */
    static int freePort(String address) {
        return FreePorts.on(address);
    }
}
