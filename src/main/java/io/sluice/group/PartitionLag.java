package io.sluice.group;

/**
 * A group's position in one partition against the partition's end.
 *
 * @param committed the committed offset, or -1 when the group has none
 * @param endOffset the partition's high watermark
 * @param lag       {@code endOffset - committed}, or -1 when there is no committed offset
 */
public record PartitionLag(String topic, int partition, long committed, long endOffset, long lag) {
}
