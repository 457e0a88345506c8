package io.sluice.operator.brokers;

/** One entry of {@code GET /topics}. */
public record TopicSummary(String name, int partitions, int replicationFactor) {
}
