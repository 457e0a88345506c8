package io.sluice.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Watches the broker through a stress run, into whichever {@link PhaseStats} is current: its
 * resident memory ({@code VmRSS} of {@code /proc/PID/status}) and open descriptors
 * ({@code /proc/PID/fd}) every 250 ms; heap in use, live heap after the last collection and direct
 * buffers from {@code /q/metrics} every second, with the broker's memory budgets
 * ({@code sluice_*budget_used_bytes} against {@code sluice_*budget_capacity_bytes}); and readiness as a probe sees it: {@code GET
 * /q/health/ready} every 250 ms on a new connection (as a Kubernetes probe makes it), timed from
 * connect to the end of the reply, at most {@link #PROBE_TIMEOUT_MS} each.
 */
final class Monitor implements AutoCloseable {

    static final int PROBE_TIMEOUT_MS = 10_000;
    private static final long SAMPLE_MILLIS = 250;
    private static final long METRICS_MILLIS = 1000;

    private final URI health;
    private final URI metrics;
    private final long pid;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Thread> threads;
    private volatile PhaseStats current;
    private volatile boolean closed;
    private volatile long lastReadyNanos = System.nanoTime();
    private volatile long lastReadyStartNanos = System.nanoTime();

    /** {@code health} and {@code metrics}: where the broker serves readiness and Prometheus metrics. */
    Monitor(URI health, URI metrics, long pid) {
        this.health = health;
        this.metrics = metrics;
        this.pid = pid;
        this.threads = List.of(daemon("monitor-proc", () -> every(SAMPLE_MILLIS, this::sampleProc)),
                daemon("monitor-metrics", () -> every(METRICS_MILLIS, this::sampleMetrics)),
                daemon("monitor-health", () -> every(SAMPLE_MILLIS, this::probeHealth)));
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Samples from now on go to {@code stats}. */
    void into(PhaseStats stats) {
        current = stats;
    }

    boolean brokerAlive() {
        return Files.exists(Path.of("/proc", Long.toString(pid)));
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        return t;
    }

    /** Runs {@code action} every {@code millis}; an action that overruns is followed at once by the next. */
    private void every(long millis, Runnable action) {
        long next = System.nanoTime();
        while (!closed) {
            action.run();
            next += TimeUnit.MILLISECONDS.toNanos(millis);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    private void sampleProc() {
        PhaseStats stats = current;
        if (stats == null) {
            return;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    stats.rssBytes.accumulate(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                stats.fds.accumulate(fds.count());
            }
        } catch (IOException | RuntimeException e) {
            stats.brokerGone = !brokerAlive();
        }
    }

    private void sampleMetrics() {
        PhaseStats stats = current;
        if (stats == null) {
            return;
        }
        try {
            HttpResponse<Stream<String>> reply = http.send(HttpRequest.newBuilder(metrics)
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofLines());
            long heap = 0;
            long direct = -1;
            long live = -1;
            for (String line : (Iterable<String>) reply.body()::iterator) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    heap += value(line);
                } else if (line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"")) {
                    direct = value(line);
                } else if (line.startsWith("jvm_gc_live_data_size_bytes")) {
                    live = value(line);
                } else if (line.startsWith("sluice_") && line.contains("budget_")) {
                    stats.recordBudget(line.substring(0, line.indexOf(line.contains("{") ? '{' : ' ')), value(line));
                }
            }
            if (reply.statusCode() == 200 && heap > 0) {
                stats.heapBytes.accumulate(heap);
                stats.directBytes.accumulate(direct);
                stats.liveHeapBytes.accumulate(live);
            } else {
                stats.metricsFailures.increment();
            }
        } catch (IOException e) {
            stats.metricsFailures.increment();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long value(String line) {
        return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private void probeHealth() {
        PhaseStats stats = current;
        if (stats == null) {
            return;
        }
        long start = System.nanoTime();
        String outcome;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(health.getHost(), health.getPort()), PROBE_TIMEOUT_MS);
            socket.setSoTimeout(PROBE_TIMEOUT_MS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + health.getRawPath() + " HTTP/1.1\r\nHost: " + health.getHost() + ":" + health.getPort()
                    + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(12);
            while (in.read() >= 0 && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(PROBE_TIMEOUT_MS)) {
                // to the end of the reply: a probe is answered when the whole reply is in
            }
            String status = new String(reply, StandardCharsets.US_ASCII);
            outcome = status.length() >= 12 ? status.substring(9, 12) : "garbage";
        } catch (java.net.ConnectException e) {
            outcome = "refused";
        } catch (java.net.SocketTimeoutException e) {
            outcome = "timeout";
        } catch (IOException e) {
            outcome = Outcomes.label(e);
        }
        if (outcome.equals("200")) {
            lastReadyNanos = System.nanoTime();
            lastReadyStartNanos = start;
        }
        stats.recordHealth(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start) / 1000.0, outcome);
    }

    /** Whether a readiness probe that started after {@code nanoTime} got 200. */
    boolean readySince(long nanoTime) {
        return lastReadyStartNanos - nanoTime > 0;
    }

    /** Seconds since a readiness probe last got 200. */
    long secondsSinceReady() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - lastReadyNanos);
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            t.interrupt();
        }
    }
}
