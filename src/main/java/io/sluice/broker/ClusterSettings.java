package io.sluice.broker;

import io.sluice.cluster.ClusterConfig;
import io.sluice.replication.ReplicationSettings;
import java.nio.file.Path;
import java.util.List;

/**
 * How a broker takes part in a cluster: the metadata cluster it joins, the listener other brokers
 * replicate from and forward requests to, and the address clients reach it at.
 *
 * @param bindAddress     every socket between brokers binds to it, listening and connecting
 * @param members         seeds {@code host:port} of the metadata cluster; empty with no DNS query: a cluster of one
 * @param replicationPort the inter-broker listener (replication and forwarded requests)
 * @param advertisedHost  the host clients reach this broker's HTTP API at
 * @param httpPort        the port of this broker's HTTP API
 * @param shutdownDrainTimeoutMs how long a stopping broker waits for its leaderships to move to other
 *                        in-sync replicas (controlled shutdown); 0: it does not drain
 */
public record ClusterSettings(String clusterName, String bindAddress, int bindPort, List<String> members,
        String dnsQuery, String rack, int replicationPort, String advertisedHost, int httpPort,
        ReplicationSettings replication, ClusterConfig.Timings timings, long shutdownDrainTimeoutMs) {
    public static final long DEFAULT_SHUTDOWN_DRAIN_TIMEOUT_MS = 30_000;

    public ClusterSettings {
        members = List.copyOf(members);
        if (shutdownDrainTimeoutMs < 0) {
            throw new IllegalArgumentException("shutdownDrainTimeoutMs must not be negative, got "
                    + shutdownDrainTimeoutMs);
        }
    }

    /** Settings with the default shutdown drain timeout. */
    public ClusterSettings(String clusterName, String bindAddress, int bindPort, List<String> members,
            String dnsQuery, String rack, int replicationPort, String advertisedHost, int httpPort,
            ReplicationSettings replication, ClusterConfig.Timings timings) {
        this(clusterName, bindAddress, bindPort, members, dnsQuery, rack, replicationPort, advertisedHost, httpPort,
                replication, timings, DEFAULT_SHUTDOWN_DRAIN_TIMEOUT_MS);
    }

    /** One broker on its own: no peers, no inter-broker listener. */
    public static ClusterSettings single() {
        return new ClusterSettings(ClusterConfig.DEFAULT_CLUSTER_NAME, ClusterConfig.DEFAULT_BIND_ADDRESS,
                ClusterConfig.DEFAULT_BIND_PORT, List.of(), null, null, 9093, "127.0.0.1", 8080,
                ReplicationSettings.defaults(), ClusterConfig.Timings.DEFAULT);
    }

    public boolean singleBroker() {
        return members.isEmpty() && dnsQuery == null;
    }

    ClusterConfig toClusterConfig(int brokerId, Path dataDir) {
        return new ClusterConfig(clusterName, brokerId, bindAddress, bindPort, members, dnsQuery, rack, dataDir,
                timings);
    }

    public ClusterSettings withMembers(String bind, int port, int replicationListenerPort, List<String> seeds) {
        return new ClusterSettings(clusterName, bind, port, seeds, dnsQuery, rack, replicationListenerPort,
                advertisedHost, httpPort, replication, timings, shutdownDrainTimeoutMs);
    }

    public ClusterSettings withHttp(String host, int port) {
        return new ClusterSettings(clusterName, bindAddress, bindPort, members, dnsQuery, rack, replicationPort, host,
                port, replication, timings, shutdownDrainTimeoutMs);
    }

    public ClusterSettings withRack(String newRack) {
        return new ClusterSettings(clusterName, bindAddress, bindPort, members, dnsQuery, newRack, replicationPort,
                advertisedHost, httpPort, replication, timings, shutdownDrainTimeoutMs);
    }

    public ClusterSettings withReplication(ReplicationSettings settings) {
        return new ClusterSettings(clusterName, bindAddress, bindPort, members, dnsQuery, rack, replicationPort,
                advertisedHost, httpPort, settings, timings, shutdownDrainTimeoutMs);
    }

    public ClusterSettings withDnsQuery(String query) {
        return new ClusterSettings(clusterName, bindAddress, bindPort, members, query, rack, replicationPort,
                advertisedHost, httpPort, replication, timings, shutdownDrainTimeoutMs);
    }

    public ClusterSettings withShutdownDrainTimeoutMs(long timeoutMs) {
        return new ClusterSettings(clusterName, bindAddress, bindPort, members, dnsQuery, rack, replicationPort,
                advertisedHost, httpPort, replication, timings, timeoutMs);
    }
}
