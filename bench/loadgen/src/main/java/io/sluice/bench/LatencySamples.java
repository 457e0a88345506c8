package io.sluice.bench;

import java.util.Arrays;

/**
 * End-to-end latencies in microseconds, all of them: at 5,000 records/s for tens of seconds that
 * is a few hundred thousand longs, so percentiles are exact ranks rather than histogram buckets.
 * Single writer; read only after the writer has stopped.
 */
final class LatencySamples {

    private long[] micros;
    private int size;
    private boolean sorted;

    LatencySamples(int expected) {
        this.micros = new long[Math.max(16, expected)];
    }

    void add(long latencyMicros) {
        if (size == micros.length) {
            micros = Arrays.copyOf(micros, size * 2);
        }
        micros[size++] = latencyMicros;
        sorted = false;
    }

    int size() {
        return size;
    }

    /** The nearest-rank percentile in milliseconds; {@code percent} in (0, 100]. */
    double percentileMillis(double percent) {
        if (size == 0) {
            return Double.NaN;
        }
        if (!sorted) {
            Arrays.sort(micros, 0, size);
            sorted = true;
        }
        // the epsilon keeps 99.9% of 1000 at rank 999: in binary 99.9 is a hair above itself
        int rank = (int) Math.ceil(percent / 100.0 * size - 1e-9);
        return micros[Math.max(0, rank - 1)] / 1000.0;
    }
}
