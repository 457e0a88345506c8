package io.sluice.cluster;

import io.sluice.testing.FreePorts;
import java.io.IOException;
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
            ports[i] = FreePorts.pair();
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
}
