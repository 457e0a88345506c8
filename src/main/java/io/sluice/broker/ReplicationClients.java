package io.sluice.broker;

import io.sluice.cluster.BrokerInfo;
import io.sluice.cluster.MetadataStore;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.ReplicationClient;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client per other broker, to its inter-broker listener, made on first use from the address
 * the broker registered. Every client binds its end to this broker's bind address. A broker that
 * registered a new address (restarted elsewhere) gets a new client.
 */
final class ReplicationClients implements AutoCloseable {
    private record Entry(BrokerInfo info, ReplicationClient client) {
    }

    private final Vertx vertx;
    private final MetadataStore store;
    private final ReplicationClient.Options options;
    private final Map<Integer, Entry> clients = new ConcurrentHashMap<>();

    ReplicationClients(Vertx vertx, MetadataStore store, String bindAddress) {
        this.vertx = vertx;
        this.store = store;
        this.options = ReplicationClient.Options.defaults(bindAddress);
    }

    ReplicationClient get(int brokerId) {
        BrokerInfo info = store.brokers().get(brokerId);
        if (info == null) {
            throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "broker " + brokerId + " is not registered");
        }
        Entry e = clients.compute(brokerId, (id, old) -> {
            if (old != null && old.info.equals(info)) {
                return old;
            }
            if (old != null) {
                old.client.close();
            }
            return new Entry(info, new ReplicationClient(vertx, options, info.replicationHost(), info.replicationPort()));
        });
        return e.client;
    }

    @Override
    public void close() {
        clients.values().forEach(e -> e.client.close());
        clients.clear();
    }
}
