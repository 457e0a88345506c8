package io.sluice.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one phase of a stress run measured: the broker's peaks (resident memory, heap, live heap
 * after collection, direct buffers, descriptors), every readiness probe, the probe producer's
 * acknowledgements and refusals, and what the phase's load got back.
 */
final class PhaseStats {

    final String name;
    final String load;
    final LongAccumulator rssBytes = new LongAccumulator(Math::max, -1);
    final LongAccumulator heapBytes = new LongAccumulator(Math::max, -1);
    final LongAccumulator liveHeapBytes = new LongAccumulator(Math::max, -1);
    final LongAccumulator directBytes = new LongAccumulator(Math::max, -1);
    final LongAccumulator fds = new LongAccumulator(Math::max, -1);
    final LongAdder metricsFailures = new LongAdder();
    final Outcomes health = new Outcomes();
    final Outcomes produce = new Outcomes();
    private final List<Double> healthMillis = new ArrayList<>();
    private final List<Double> produceMillis = new ArrayList<>();
    volatile boolean brokerGone;
    /** What the load itself got back (statuses, connections dropped, times). */
    volatile String loadOutcome = "";
    volatile long outOfMemoryErrors;
    volatile long acked;
    volatile long lost = -1;

    PhaseStats(String name, String load) {
        this.name = name;
        this.load = load;
    }

    synchronized void recordHealth(double millis, String outcome) {
        healthMillis.add(millis);
        health.add(outcome);
    }

    synchronized void recordProduce(double millis, String outcome) {
        produceMillis.add(millis);
        produce.add(outcome);
    }

    synchronized double healthPercentile(double p) {
        return percentile(healthMillis, p);
    }

    synchronized double producePercentile(double p) {
        return percentile(produceMillis, p);
    }

    /** Nearest rank; -1 without samples. */
    static double percentile(List<Double> samples, double p) {
        if (samples.isEmpty()) {
            return -1;
        }
        List<Double> sorted = new ArrayList<>(samples);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    static String mib(LongAccumulator bytes) {
        long b = bytes.get();
        return b < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", Math.round(b / 1048576.0));
    }

    static String ms(double millis) {
        return millis < 0 ? "n/a" : String.format(Locale.ROOT, millis < 10 ? "%.1f" : "%,.0f", millis);
    }

    /** The probes that did not get 200 in time, as a sentence fragment, or empty. */
    String healthFailures() {
        long bad = health.totalExcept("200");
        return bad == 0 ? "" : String.format(Locale.ROOT, " (%,d of %,d not 200: %s)", bad, health.total(), health);
    }

    String produceCell() {
        long refused = produce.totalExcept("200");
        String lostCell = lost < 0 ? "?" : String.format(Locale.ROOT, "%,d", lost);
        String base = String.format(Locale.ROOT, "%,d / %,d / %s", acked, refused, lostCell);
        return refused == 0 ? base : base + " (" + produce + ")";
    }

    String row() {
        return String.join(" | ", "| " + name, load, loadOutcome.isEmpty() ? "" : loadOutcome,
                mib(rssBytes), mib(heapBytes) + " (" + mib(liveHeapBytes) + ")", mib(directBytes),
                fds.get() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", fds.get()),
                ms(healthPercentile(50)) + " / " + ms(healthPercentile(99)) + " / " + ms(healthPercentile(100))
                        + healthFailures(),
                produceCell() + ", p99 " + ms(producePercentile(99)) + " ms",
                (outOfMemoryErrors == 0 ? "0" : "**" + outOfMemoryErrors + "**") + (brokerGone ? ", **broker gone**" : "")
                        + " |");
    }

    static String header() {
        return "| Phase | Load | What the load got | RSS max MiB | Heap max MiB (live after GC) | Direct max MiB "
                + "| FDs max | Health ms p50 / p99 / max | Probe produce acks=all: acked / refused / lost | OOM |\n"
                + "|---|---|---|---:|---:|---:|---:|---|---|---|";
    }
}
