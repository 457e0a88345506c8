package io.sluice.api;

import com.sun.management.HotSpotDiagnosticMXBean;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.sluice.broker.MemoryBudget;
import io.sluice.config.SluiceConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounds of the read path, shared by every WebSocket reader and REST fetch: the broker-wide
 * budget of outbound bytes (frames handed to sockets and not yet written, fetch replies being
 * built or sent), the share one reader may hold, how many readers may be open, and how long a
 * reader's socket may write nothing out before it is dropped. With the defaults every reader can
 * hold its full share at once, so readers that never read cannot starve the others.
 */
@Singleton
public class ConsumeLimits {
    /** Readers at most when not configured, whatever the budget. */
    static final int DEFAULT_MAX_SESSIONS_CEILING = 10_000;
    /** A budget never smaller than this, so a small heap still serves a few readers. */
    private static final long MIN_DEFAULT_BUDGET_BYTES = 16L * 1024 * 1024;
    private static final int MIN_CONNECTION_BYTES = 4096;
    /** One fetch reply takes at most this fraction of the budget, so a few large fetches cannot hold all of it. */
    private static final int FETCH_SHARE_OF_BUDGET = 4;

    private final MemoryBudget outbound;
    private final int connectionBytes;
    private final int maxSessions;
    private final long drainTimeoutMs;
    private final AtomicInteger openSessions = new AtomicInteger();

    @Inject
    public ConsumeLimits(SluiceConfig config, MeterRegistry metrics) {
        this(config.consume().outboundBudgetBytes().orElseGet(ConsumeLimits::defaultBudgetBytes),
                config.consume().connectionBytes(), config.consume().maxSessions().orElse(-1),
                config.consume().drainTimeoutMs());
        Gauge.builder("sluice.outbound.budget.used", outbound, MemoryBudget::usedBytes).baseUnit("bytes")
                .description("Bytes of outbound frames and fetch replies held now").register(metrics);
        Gauge.builder("sluice.outbound.budget.capacity", outbound, MemoryBudget::capacityBytes).baseUnit("bytes")
                .description("Bytes of outbound frames and fetch replies the broker holds at most").register(metrics);
        Gauge.builder("sluice.outbound.budget.refusals", outbound, MemoryBudget::refusals)
                .description("Outbound reservations refused since start (readers waited, fetches got 503)")
                .register(metrics);
    }

    /** @param maxSessions -1: as many as fit in the budget at {@code connectionBytes} each, at most 10,000 */
    ConsumeLimits(long outboundBudgetBytes, int connectionBytes, int maxSessions, long drainTimeoutMs) {
        if (connectionBytes < MIN_CONNECTION_BYTES || connectionBytes > outboundBudgetBytes) {
            throw new IllegalArgumentException("sluice.consume.connection-bytes=" + connectionBytes + " must be in ["
                    + MIN_CONNECTION_BYTES + ", outbound-budget-bytes=" + outboundBudgetBytes + "]");
        }
        if (drainTimeoutMs <= 0) {
            throw new IllegalArgumentException("sluice.consume.drain-timeout-ms=" + drainTimeoutMs + " must be > 0");
        }
        this.outbound = new MemoryBudget("outbound", outboundBudgetBytes);
        this.connectionBytes = connectionBytes;
        this.maxSessions = maxSessions >= 0 ? maxSessions
                : (int) Math.max(1, Math.min(DEFAULT_MAX_SESSIONS_CEILING, outboundBudgetBytes / connectionBytes));
        this.drainTimeoutMs = drainTimeoutMs;
    }

    /**
     * A quarter of the smaller of the heap and direct-memory limits: a frame is built on the heap
     * and copied into a (direct) socket buffer, and the rest of the broker needs the other
     * three quarters.
     */
    static long defaultBudgetBytes() {
        long heap = Runtime.getRuntime().maxMemory();
        long direct = heap; // the JVM's default direct-memory limit is the max heap size
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long configured = Long.parseLong(hotspot.getVMOption("MaxDirectMemorySize").getValue());
            if (configured > 0) {
                direct = configured;
            }
        } catch (RuntimeException notHotSpot) {
            // keep the JVM default
        }
        return Math.max(MIN_DEFAULT_BUDGET_BYTES, Math.min(heap, direct) / 4);
    }

    MemoryBudget outbound() {
        return outbound;
    }

    /**
     * The most one fetch reads: a larger {@code maxBytes} is lowered to it, as a Kafka broker bounds
     * a fetch by its own limit (the reply says where to go on).
     */
    int maxFetchBytes() {
        return (int) Math.min(Integer.MAX_VALUE, outbound.capacityBytes() / FETCH_SHARE_OF_BUDGET);
    }

    int connectionBytes() {
        return connectionBytes;
    }

    int maxSessions() {
        return maxSessions;
    }

    long drainTimeoutMs() {
        return drainTimeoutMs;
    }

    /** Takes a session slot; false when {@link #maxSessions} are open. */
    boolean tryOpenSession() {
        while (true) {
            int open = openSessions.get();
            if (open >= maxSessions) {
                return false;
            }
            if (openSessions.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    void closeSession() {
        openSessions.decrementAndGet();
    }
}
