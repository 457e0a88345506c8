package io.sluice.cluster;

/**
 * How to reach a broker: its client (HTTP) address, its replication listener (which also carries
 * requests forwarded between brokers) and its rack. Registered by the broker itself when it joins;
 * whether it is alive is the cluster view's business, not this record's.
 *
 * @param rack the rack or zone for replica placement, or null
 */
public record BrokerInfo(int id, String host, int httpPort, String replicationHost, int replicationPort,
        String rack) {
}
