package io.sluice.cluster;

/**
 * The replicated caches of the metadata and their tag in the snapshot file. The tag is part of
 * the file format: never renumber.
 */
enum MetadataSection {
    BROKERS("sluice-brokers", 1),
    TOPICS("sluice-topics", 2),
    PARTITIONS("sluice-partitions", 3),
    TOMBSTONES("sluice-topic-tombstones", 4),
    /** Brokers being drained of their leaderships: key the broker id, present while it drains. */
    DRAINING("sluice-draining", 5);

    final String cacheName;
    final byte tag;

    MetadataSection(String cacheName, int tag) {
        this.cacheName = cacheName;
        this.tag = (byte) tag;
    }

    static MetadataSection ofTag(byte tag) {
        for (MetadataSection s : values()) {
            if (s.tag == tag) {
                return s;
            }
        }
        throw new IllegalArgumentException("snapshot section tag=" + tag + " is unknown");
    }
}
