package io.sluice.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/**
 * Wall time and this JVM's CPU time (all threads: event loops, GC, JIT) between {@link #open()}
 * and {@link #close()}. The CPU share shows whether the load generator, rather than the broker,
 * could have been the bottleneck: on the 2-core bench machine, near 100% means one core of two.
 */
final class MeasuredWindow {

    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private final long startNanos;
    private final long startCpuNanos;

    private MeasuredWindow() {
        this.startNanos = System.nanoTime();
        this.startCpuNanos = OS.getProcessCpuTime();
    }

    static MeasuredWindow open() {
        return new MeasuredWindow();
    }

    Span close() {
        return new Span(System.nanoTime() - startNanos, OS.getProcessCpuTime() - startCpuNanos);
    }

    /** A closed window: elapsed wall time and CPU time spent in it. */
    record Span(long nanos, long cpuNanos) {

        double seconds() {
            return nanos / 1e9;
        }

        double cpuPercentOfOneCore() {
            return nanos == 0 ? 0 : 100.0 * cpuNanos / nanos;
        }
    }
}
