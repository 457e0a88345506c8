package io.sluice.cluster;

import java.util.Set;

/**
 * Told about changes of the cluster's metadata, on a thread of the metadata store (never a Vert.x
 * event loop): a listener hands work off and returns. Events may repeat or coalesce; a listener
 * reads the current state from the store rather than trusting the event to be the latest.
 */
public interface MetadataListener {
    default void membershipChanged(Set<Integer> liveBrokers) {
    }

    default void topicChanged(String topic) {
    }

    default void partitionChanged(TopicPartition partition) {
    }

    /** A broker started or stopped draining (see {@link MetadataStore#drainingBrokers()}). */
    default void drainingChanged() {
    }

    /** This broker became, or stopped being, the side of a split that may change metadata. */
    default void availabilityChanged(boolean available) {
    }
}
