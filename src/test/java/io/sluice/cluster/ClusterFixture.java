package io.sluice.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jgroups.stack.Protocol;

/** Brokers' metadata stores in one JVM over JGroups TCP on 127.0.0.1, each with its own port and data dir. */
final class ClusterFixture implements AutoCloseable {
    private final String clusterName;
    private final Path root;
    private final int[] ports;
    final InfinispanMetadataStore[] stores;

    ClusterFixture(String clusterName, Path root, int size) throws IOException {
        this.clusterName = clusterName;
        this.root = root;
        this.ports = new int[size];
        this.stores = new InfinispanMetadataStore[size];
        for (int i = 0; i < size; i++) {
            ports[i] = freePortPair();
        }
    }

    ClusterConfig config(int index) {
        List<String> members = new ArrayList<>();
        for (int p : ports) {
            members.add("127.0.0.1:" + p);
        }
        return ClusterConfig.of(clusterName, index + 1, root.resolve("broker-" + (index + 1)))
                .withBind("127.0.0.1", ports[index]).withMembers(members);
    }

    InfinispanMetadataStore start(int index) {
        return start(index, UnaryOperator.identity());
    }

    InfinispanMetadataStore start(int index, UnaryOperator<List<Protocol>> editor) {
        stores[index] = InfinispanMetadataStore.open(config(index), editor);
        stores[index].register(new BrokerInfo(index + 1, "127.0.0.1", 8080 + index, "127.0.0.1", 9093 + index,
                null));
        return stores[index];
    }

    void startAll() {
        for (int i = 0; i < stores.length; i++) {
            start(i);
        }
    }

    void close(int index) {
        if (stores[index] != null) {
            stores[index].close();
            stores[index] = null;
        }
    }

    @Override
    public void close() {
        for (int i = stores.length - 1; i >= 0; i--) {
            close(i);
        }
    }

    /**
     * A free port whose FD_SOCK2 companion (port + offset) is free too, below the kernel's ephemeral range:
     * a port probed free there can be taken by any outgoing connection (ours included) before the broker
     * binds it.
     */
    static synchronized int freePortPair() throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = nextPort;
            nextPort += 2;
            if (nextPort >= HIGHEST_PORT) {
                nextPort = LOWEST_PORT;
            }
            try (ServerSocket s = new ServerSocket(port, 1, lo);
                    ServerSocket fd = new ServerSocket(port + JGroupsStack.FD_SOCK_PORT_OFFSET, 1, lo)) {
                return port;
            } catch (IOException taken) {
                // try the next
            }
        }
        throw new IOException("no free port pair on 127.0.0.1 in [" + LOWEST_PORT + ", " + HIGHEST_PORT + ")");
    }

    private static final int LOWEST_PORT = 20_000;
    private static final int HIGHEST_PORT = 32_000;
    /** Spread over the range by process, so test JVMs running side by side rarely probe the same ports. */
    private static int nextPort = LOWEST_PORT + (int) (ProcessHandle.current().pid() * 211 % 10_000) / 2 * 2;
}
