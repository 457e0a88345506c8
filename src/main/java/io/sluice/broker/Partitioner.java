package io.sluice.broker;

/**
 * Chooses a partition for a record that names none. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/io.sluice.broker.Partitioner}) or registered on the {@link Broker}, and
 * are chosen by {@link #name()} through the topic config {@code partitioner} or a produce request.
 * Called concurrently from request threads: implementations must be thread-safe and must not block.
 */
public interface Partitioner {
    String name();

    /**
     * @param key the key bytes, or null
     * @return a partition in {@code [0, partitionCount)}
     */
    int partition(String topic, byte[] key, byte[] value, int partitionCount);
}
