package io.sluice.broker;

import io.sluice.cluster.BrokerInfo;
import io.sluice.cluster.MetadataStore;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.ReplicationClient;
import io.vertx.core.Vertx;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clients to every other broker's inter-broker listener, made on first use from the address the
 * broker registered: one per {@link Purpose}, each with its own connection. Every client binds
 * its end to this broker's bind address. A broker that registered a new address (restarted
 * elsewhere) gets new clients.
 */
final class ReplicationClients implements AutoCloseable {
    /**
     * What a connection carries. The listener reads no further on a connection with 32 requests in
     * flight, so traffic that waits must not share one with traffic it waits for: an acks=all produce
     * forwarded to a leader waits for the high watermark, which waits for this broker's fetches.
     * On one connection, 32 such produces stopped the fetches until the produces timed out.
     */
    enum Purpose {
        /** Fetches, epoch queries and position reports of this broker's follower replicas. */
        REPLICATION,
        /** Produce requests forwarded to a partition's leader. */
        PRODUCE,
        /** Reads forwarded to a partition's leader; they long-poll there. */
        READ,
        /** Group calls forwarded to a group's coordinator. */
        GROUP
    }

    private record Entry(BrokerInfo info, Map<Purpose, ReplicationClient> clients) {
        void close() {
            clients.values().forEach(ReplicationClient::close);
        }
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

    ReplicationClient get(int brokerId, Purpose purpose) {
        BrokerInfo info = store.brokers().get(brokerId);
        if (info == null) {
            throw new SluiceException(ErrorCode.LEADER_NOT_AVAILABLE, "broker " + brokerId + " is not registered");
        }
        Entry e = clients.compute(brokerId, (id, old) -> {
            if (old != null && old.info.equals(info)) {
                return old;
            }
            if (old != null) {
                old.close();
            }
            Map<Purpose, ReplicationClient> byPurpose = new EnumMap<>(Purpose.class);
            for (Purpose p : Purpose.values()) {
                byPurpose.put(p, new ReplicationClient(vertx, options, info.replicationHost(), info.replicationPort()));
            }
            return new Entry(info, byPurpose);
        });
        return e.clients.get(purpose);
    }

    @Override
    public void close() {
        clients.values().forEach(Entry::close);
        clients.clear();
    }
}
