package io.sluice.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end-to-end latency probe that both transports share, so Sluice and Kafka are paced,
 * stamped and counted by the same code. A producer ticks once a millisecond and sends what
 * {@link #due} says, every record stamped with the tick's time; the consumer reports each
 * record's stamp and arrival. Only records stamped after the warm-up and before the end are
 * sampled. Records that never arrive are counted as lost, not ignored. The producer's
 * acknowledgement latency is sampled beside it, to tell a slow append from a slow delivery.
 *
 * <p>Threads: {@link #due}, {@link #sent} on the producer's; {@link #acknowledged} on the one
 * that completes sends; {@link #arrived} on the consumer's; {@link #sendFailed} on either;
 * {@link #result} on the caller's, after all have stopped.
 */
final class LatencyProbe {

    /** Offered load and phases; the drain bounds the wait for stragglers after the last send. */
    record Settings(double ratePerSecond, Duration warmup, Duration measure, Duration drain, int recordSize) {

        Settings {
            if (measure.isZero() || measure.isNegative()) {
                throw new IllegalArgumentException("the measured phase must be positive: " + measure);
            }
        }

        static Settings from(Args args) {
            return new Settings(
                    args.decimal("rate", 5_000),
                    Duration.ofSeconds(args.longValue("warmup-seconds", 5)),
                    Duration.ofSeconds(args.longValue("seconds", 20)),
                    Duration.ofSeconds(args.longValue("drain-seconds", 10)),
                    args.integer("record-size", 1024));
        }

        Duration total() {
            return warmup.plus(measure).plus(drain);
        }
    }

    private final Settings settings;
    private final LatencySamples samples;
    private final LatencySamples ackSamples;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile long measureStartNanos;
    private volatile long endNanos;
    private volatile boolean producing;
    private volatile Throwable firstSendFailure;
    private volatile MeasuredWindow.Span span;
    private Pacer pacer;
    private MeasuredWindow window;
    private long sentAtWindowOpen;

    LatencyProbe(Settings settings) {
        this.settings = settings;
        int expected = (int) (settings.ratePerSecond() * settings.measure().toSeconds() * 1.1);
        this.samples = new LatencySamples(expected);
        this.ackSamples = new LatencySamples(expected);
    }

    /** Starts the schedule; call on the producer's thread before its first tick. */
    void start() {
        long now = System.nanoTime();
        pacer = new Pacer(settings.ratePerSecond(), now);
        measureStartNanos = now + settings.warmup().toNanos();
        endNanos = measureStartNanos + settings.measure().toNanos();
        producing = true;
    }

    /** Records to send now, stamped {@code nowNanos}; -1 once the schedule is over. */
    int due(long nowNanos) {
        if (nowNanos >= endNanos) {
            if (producing) {
                span = window.close();
                producing = false;
                checkDrained();
            }
            return -1;
        }
        if (window == null && nowNanos >= measureStartNanos) {
            window = MeasuredWindow.open();
            sentAtWindowOpen = sent.get();
        }
        return pacer.due(nowNanos);
    }

    void sent(int records) {
        sent.addAndGet(records);
    }

    /** A send of records stamped {@code stampNanos} was acknowledged by the broker. */
    void acknowledged(long stampNanos, long ackNanos) {
        if (isMeasured(stampNanos)) {
            ackSamples.add((ackNanos - stampNanos) / 1_000);
        }
    }

    void sendFailed(int records, Throwable cause) {
        if (firstSendFailure == null) {
            firstSendFailure = cause;
        }
        failed.addAndGet(records);
        checkDrained();
    }

    void arrived(long stampNanos, long arrivalNanos) {
        if (isMeasured(stampNanos)) {
            samples.add((arrivalNanos - stampNanos) / 1_000);
        }
        received.incrementAndGet();
        checkDrained();
    }

    /** The consumer broke: the run cannot be measured. */
    void consumerFailed(Throwable cause) {
        drained.completeExceptionally(cause);
    }

    /**
     * Waits until the schedule is over and every sent record arrived or failed, at most the
     * whole run plus its drain; false if records were still missing then.
     */
    boolean awaitDrained() throws InterruptedException, ExecutionException {
        try {
            drained.get(settings.total().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** The result line; call after the producer and the consumer have stopped. */
    Result result() {
        if (span == null) {
            throw new IllegalStateException("the schedule did not finish: sent=" + sent.get());
        }
        long lost = sent.get() - failed.get() - received.get();
        if (firstSendFailure != null) {
            System.err.println("first send failure: " + firstSendFailure);
        }
        return new Result()
                .put("samples", samples.size())
                .put("p50_ms", samples.percentileMillis(50))
                .put("p99_ms", samples.percentileMillis(99))
                .put("p999_ms", samples.percentileMillis(99.9))
                .put("max_ms", samples.percentileMillis(100))
                .put("ack_p50_ms", ackSamples.percentileMillis(50))
                .put("ack_p99_ms", ackSamples.percentileMillis(99))
                .put("offered_per_sec", (sent.get() - sentAtWindowOpen) / span.seconds())
                .put("sent", sent.get())
                .put("send_failures", failed.get())
                .put("lost", Math.max(0, lost))
                .put("client_cpu_pct", span.cpuPercentOfOneCore());
    }

    private boolean isMeasured(long stampNanos) {
        return stampNanos >= measureStartNanos && stampNanos < endNanos;
    }

    private void checkDrained() {
        if (!producing && received.get() + failed.get() >= sent.get()) {
            drained.complete(null);
        }
    }
}
