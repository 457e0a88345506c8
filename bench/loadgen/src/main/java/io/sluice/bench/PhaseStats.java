package io.sluice.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
    /** The largest value seen of each {@code sluice_*budget_*} gauge, by metric name. */
    private final Map<String, Long> budgets = new TreeMap<>();
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

    synchronized void recordBudget(String metric, long value) {
        budgets.merge(metric, value, Math::max);
    }

    /**
     * Each memory budget's peak use against its capacity ({@code outbound 12/256}, MiB), from the
     * pairs of {@code sluice_X_budget_used_bytes} and {@code sluice_X_budget_capacity_bytes}.
     */
    synchronized String budgetCell() {
        List<String> cells = new ArrayList<>();
        budgets.forEach((metric, used) -> {
            if (metric.endsWith("_budget_used_bytes")) {
                String name = metric.substring("sluice_".length(), metric.length() - "_budget_used_bytes".length());
                Long capacity = budgets.get("sluice_" + name + "_budget_capacity_bytes");
                cells.add(name + " " + Math.round(used / 1048576.0) + "/"
                        + (capacity == null ? "?" : Long.toString(Math.round(capacity / 1048576.0))));
            }
        });
        return cells.isEmpty() ? "n/a" : String.join(", ", cells);
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
                mib(rssBytes), mib(heapBytes) + " (" + mib(liveHeapBytes) + ")", mib(directBytes), budgetCell(),
                fds.get() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", fds.get()),
                ms(healthPercentile(50)) + " / " + ms(healthPercentile(99)) + " / " + ms(healthPercentile(100))
                        + healthFailures(),
                produceCell() + ", p99 " + ms(producePercentile(99)) + " ms",
                (outOfMemoryErrors == 0 ? "0" : "**" + outOfMemoryErrors + "**") + (brokerGone ? ", **broker gone**" : "")
                        + " |");
    }

    static String header() {
        return "| Phase | Load | What the load got | RSS max MiB | Heap max MiB (live after GC) | Direct max MiB "
                + "| Budgets max used/capacity MiB | FDs max | Health ms p50 / p99 / max "
                + "| Probe produce acks=all: acked / refused / lost | OOM |\n"
                + "|---|---|---|---:|---:|---:|---|---:|---|---|---|";
    }
}
