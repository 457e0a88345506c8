package io.sluice.operator.brokers;

/**
 * The answer of {@code POST|DELETE /cluster/brokers/{id}/drain}: whether the broker is now marked
 * draining, and how many partitions it still leads (after a drain: those with no other in-sync
 * replica to take over).
 */
public record DrainResult(int broker, boolean draining, int leaderships) {
}
