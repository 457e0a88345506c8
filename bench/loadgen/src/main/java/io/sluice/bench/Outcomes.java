package io.sluice.bench;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How requests or connections ended, counted by label: an HTTP status ({@code 200}, {@code 413},
 * {@code 503}...) or what the socket did ({@code refused}, {@code closed}, {@code reset},
 * {@code timeout}). Thread-safe; printed as {@code 200×16, 503×3}.
 */
final class Outcomes {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String label) {
        counts.computeIfAbsent(label, k -> new LongAdder()).increment();
    }

    void add(int status) {
        add(Integer.toString(status));
    }

    long count(String label) {
        LongAdder adder = counts.get(label);
        return adder == null ? 0 : adder.sum();
    }

    long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Every count whose label is not {@code except}. */
    long totalExcept(String except) {
        return total() - count(except);
    }

    /** The label of an I/O failure of an HTTP exchange. */
    static String label(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (e instanceof ConnectException) {
            return "refused";
        }
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("reset")) {
            return "reset";
        }
        return "closed";
    }

    @Override
    public String toString() {
        if (counts.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        new TreeMap<>(counts).forEach((label, n) -> out.append(out.length() == 0 ? "" : ", ")
                .append(label).append('×').append(String.format(java.util.Locale.ROOT, "%,d", n.sum())));
        return out.toString();
    }
}
