package io.sluice.group;

/**
 * A group's committed position in one partition: the next offset to read (Kafka's convention).
 *
 * @param metadata     free text the client committed with it, or ""
 * @param commitTimeMs when the coordinator accepted it
 */
public record CommittedOffset(long offset, String metadata, long commitTimeMs) {
    public CommittedOffset {
        metadata = metadata == null ? "" : metadata;
    }
}
