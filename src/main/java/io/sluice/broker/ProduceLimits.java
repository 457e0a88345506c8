package io.sluice.broker;

/**
 * What one produce request, and the appends queued for one partition, may take from the broker,
 * so that a client sending huge or many requests is refused instead of running the heap out.
 *
 * @param requestMemoryBytes     heap that produce requests being read, parsed and answered may
 *                               hold at once, all clients together
 * @param maxRequestBytes        largest produce body
 * @param maxRecordsPerRequest   most records one request may carry
 * @param partitionInFlightBytes encoded bytes queued for, or being written by, one partition's
 *                               writer; a request that would pass it is refused (THROTTLED)
 */
public record ProduceLimits(long requestMemoryBytes, long maxRequestBytes, int maxRecordsPerRequest,
        long partitionInFlightBytes) {

    public static final long DEFAULT_MAX_REQUEST_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_RECORDS_PER_REQUEST = 100_000;
    public static final long DEFAULT_PARTITION_IN_FLIGHT_BYTES = 64L * 1024 * 1024;
    /** The share of the heap produce requests may hold by default: a quarter, as in 1 / 4. */
    private static final int HEAP_SHARE_DIVISOR = 4;

    public ProduceLimits {
        requirePositive("requestMemoryBytes", requestMemoryBytes);
        requirePositive("maxRequestBytes", maxRequestBytes);
        requirePositive("maxRecordsPerRequest", maxRecordsPerRequest);
        requirePositive("partitionInFlightBytes", partitionInFlightBytes);
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + "=" + value + " must be > 0");
        }
    }

    public static ProduceLimits defaults() {
        return new ProduceLimits(defaultRequestMemoryBytes(), DEFAULT_MAX_REQUEST_BYTES,
                DEFAULT_MAX_RECORDS_PER_REQUEST, DEFAULT_PARTITION_IN_FLIGHT_BYTES);
    }

    /** A quarter of the largest heap this JVM may grow to. */
    public static long defaultRequestMemoryBytes() {
        return Runtime.getRuntime().maxMemory() / HEAP_SHARE_DIVISOR;
    }
}
