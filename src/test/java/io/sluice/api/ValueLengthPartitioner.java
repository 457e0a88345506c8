package io.sluice.api;

import io.sluice.broker.Partitioner;

/**
 * A sample custom partitioner, found through {@code META-INF/services}: routes by the value's
 * length in bytes (a null value to partition 0), ignoring the key, so a test can tell it from
 * the default murmur2 choice.
 */
public final class ValueLengthPartitioner implements Partitioner {
    public static final String NAME = "value-length";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int partition(String topic, byte[] key, byte[] value, int partitionCount) {
        return value == null ? 0 : value.length % partitionCount;
    }
}
