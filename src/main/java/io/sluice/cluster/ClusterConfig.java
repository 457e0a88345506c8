package io.sluice.cluster;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How one broker joins the metadata cluster: its identity, the address every cluster socket binds
 * to (listening and connecting, so brokers on 127.0.0.11, .12 and .13 can be cut apart by packet
 * filters), how it finds the others (a static seed list for TCPPING, or a DNS name for DNS_PING),
 * how fast it gives up on a dead or paused peer, and where it keeps its copy of the metadata.
 *
 * @param members        seeds as {@code host:port}, this broker's own address may be among them; empty with
 *                       no {@code dnsQuery}: a single broker
 * @param dnsQuery       the DNS name of a headless Service listing the brokers (DNS_PING), or null
 * @param rack           the rack or zone of this broker, or null
 * @param dataDir        the broker's data directory; the metadata lives under {@code dataDir/cluster/}
 * @param timings        failure detection and merge timings
 */
public record ClusterConfig(String clusterName, int brokerId, String bindAddress, int bindPort,
        List<String> members, String dnsQuery, String rack, Path dataDir, Timings timings) {
    /** Failure detection (FD_SOCK2) listens this far above the JGroups port, so both must be reachable. */
    public static final int FAILURE_DETECTION_PORT_OFFSET = 100;

    public static final String DEFAULT_CLUSTER_NAME = "sluice";
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_BIND_PORT = 7800;

    public ClusterConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(timings, "timings");
        members = List.copyOf(members);
        if (brokerId < 0) {
            throw new IllegalArgumentException("brokerId=" + brokerId + " must not be negative");
        }
        if (bindPort <= 0 || bindPort > 65535) {
            throw new IllegalArgumentException("bindPort=" + bindPort + " is not a TCP port");
        }
        if (dnsQuery != null && dnsQuery.isBlank()) {
            dnsQuery = null;
        }
        for (String member : members) {
            HostPort.parse(member);
        }
    }

    /** A broker with the default address, port and timings; add seeds with {@link #withMembers}. */
    public static ClusterConfig of(String clusterName, int brokerId, Path dataDir) {
        return new ClusterConfig(clusterName, brokerId, DEFAULT_BIND_ADDRESS, DEFAULT_BIND_PORT, List.of(), null, null,
                dataDir, Timings.DEFAULT);
    }

    public ClusterConfig withBind(String address, int port) {
        return new ClusterConfig(clusterName, brokerId, address, port, members, dnsQuery, rack, dataDir, timings);
    }

    public ClusterConfig withMembers(List<String> seeds) {
        return new ClusterConfig(clusterName, brokerId, bindAddress, bindPort, seeds, dnsQuery, rack, dataDir,
                timings);
    }

    public ClusterConfig withDnsQuery(String query) {
        return new ClusterConfig(clusterName, brokerId, bindAddress, bindPort, members, query, rack, dataDir, timings);
    }

    public ClusterConfig withRack(String newRack) {
        return new ClusterConfig(clusterName, brokerId, bindAddress, bindPort, members, dnsQuery, newRack, dataDir,
                timings);
    }

    public ClusterConfig withTimings(Timings newTimings) {
        return new ClusterConfig(clusterName, brokerId, bindAddress, bindPort, members, dnsQuery, rack, dataDir,
                newTimings);
    }

    /** No seeds and no DNS query: this broker is the whole cluster and runs without a JGroups channel. */
    public boolean isSingleBroker() {
        return members.isEmpty() && dnsQuery == null;
    }

    /** The node name in the JGroups view; {@link #brokerIdOf} reads the id back. */
    public String nodeName() {
        return NODE_PREFIX + brokerId;
    }

    private static final String NODE_PREFIX = "broker-";

    /** @return the broker id of a view member named by {@link #nodeName()}, or -1 for a foreign name */
    public static int brokerIdOf(String nodeName) {
        if (nodeName == null || !nodeName.startsWith(NODE_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(nodeName.substring(NODE_PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Failure detection and merge timings. A killed broker closes its sockets, which FD_SOCK2 sees at
     * once and VERIFY_SUSPECT2 confirms after {@code verifySuspect}; a paused one stops heartbeating and
     * is suspected after {@code heartbeatTimeout}; a healed split is found by MERGE3 within
     * {@code mergeMaxInterval} or so.
     *
     * @param heartbeatInterval how often FD_ALL3 sends a heartbeat
     * @param heartbeatTimeout  silence after which FD_ALL3 suspects a member
     * @param verifySuspect     how long VERIFY_SUSPECT2 waits for a suspect to answer before excluding it
     * @param mergeMinInterval  shortest pause between MERGE3 announcements
     * @param mergeMaxInterval  longest pause between MERGE3 announcements
     * @param joinTimeout       how long a starting broker looks for a coordinator before it becomes one
     */
    public record Timings(Duration heartbeatInterval, Duration heartbeatTimeout, Duration verifySuspect,
            Duration mergeMinInterval, Duration mergeMaxInterval, Duration joinTimeout) {
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(1), Duration.ofMillis(3500),
                Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(1));

        public Timings {
            Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
            Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
            Objects.requireNonNull(verifySuspect, "verifySuspect");
            Objects.requireNonNull(mergeMinInterval, "mergeMinInterval");
            Objects.requireNonNull(mergeMaxInterval, "mergeMaxInterval");
            Objects.requireNonNull(joinTimeout, "joinTimeout");
            if (heartbeatTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("heartbeatTimeout=" + heartbeatTimeout
                        + " must be at least twice heartbeatInterval=" + heartbeatInterval);
            }
            if (mergeMaxInterval.compareTo(mergeMinInterval) <= 0) {
                throw new IllegalArgumentException("mergeMaxInterval=" + mergeMaxInterval
                        + " must be above mergeMinInterval=" + mergeMinInterval);
            }
        }
    }

    /** A seed address, {@code host:port}. */
    record HostPort(String host, int port) {
        static HostPort parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) {
                throw new IllegalArgumentException("member " + text + " is not host:port");
            }
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("member " + text + " has no numeric port");
            }
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("member " + text + ": port=" + port + " is not a TCP port");
            }
            return new HostPort(text.substring(0, colon).trim(), port);
        }
    }
}
