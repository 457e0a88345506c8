package io.sluice.broker;

/**
 * A broker's drain as {@code POST} and {@code DELETE /cluster/brokers/{id}/drain} answer it.
 *
 * @param broker      the broker's id
 * @param draining    whether the cluster's metadata marks it draining now
 * @param leaderships the partitions it still leads; after a drain, those with no other in-sync replica
 */
public record DrainStatus(int broker, boolean draining, int leaderships) {
}
