package io.sluice.api;

import io.sluice.broker.Partitioner;

/** A sample custom partitioner, found through {@code META-INF/services}: everything goes to partition 0. */
public final class FirstPartitionPartitioner implements Partitioner {
    public static final String NAME = "first";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int partition(String topic, byte[] key, byte[] value, int partitionCount) {
        return 0;
    }
}
