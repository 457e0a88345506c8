package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * WebSocket consume throughput over a backlog: one reader of one partition from a fixed offset,
 * measured from the completed handshake until {@code records} have arrived. The records must
 * come in offset order without gaps, which the last offset confirms.
 */
final class ConsumeThroughput implements Command {

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        String topic = args.required("topic");
        int partition = args.integer("partition", 0);
        long offset = args.longValue("offset", 0);
        long records = args.longValue("records", 1_000_000);
        int credits = args.integer("credits", 5_000);
        String format = args.string("format", "binary");
        int recordSize = args.integer("record-size", 1024);
        Duration maxTime = Duration.ofSeconds(args.longValue("max-seconds", 300));
        args.requireAllRead();

        String query = "topic=" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                + "&partition=" + partition + "&offset=" + offset + "&format=" + format;
        Vertx vertx = Benchmarks.vertx(1);
        try {
            // the window includes the handshake: a few milliseconds against a backlog of seconds
            Reader reader = new Reader(records);
            ConsumeSocket socket = Benchmarks.await(
                    ConsumeSocket.open(vertx, url, query, credits, null, reader), Duration.ofSeconds(30));
            Outcome outcome;
            try {
                outcome = reader.done.get(maxTime.toSeconds(), TimeUnit.SECONDS);
            } finally {
                socket.close();
            }
            long expectedLast = offset + outcome.received() - 1;
            if (outcome.lastOffset() != expectedLast) {
                throw new IllegalStateException("read " + outcome.received() + " records from offset " + offset
                        + " but the last offset was " + outcome.lastOffset() + ", expected " + expectedLast);
            }
            double recordsPerSecond = outcome.received() / outcome.span().seconds();
            return new Result()
                    .put("records", outcome.received())
                    .put("seconds", outcome.span().seconds())
                    .put("records_per_sec", recordsPerSecond)
                    .put("mib_per_sec", recordsPerSecond * recordSize / (1024.0 * 1024.0))
                    .put("client_cpu_pct", outcome.span().cpuPercentOfOneCore());
        } finally {
            Benchmarks.close(vertx);
        }
    }

    /** The backlog read: how long it took, how many records came, and the last one's offset. */
    private record Outcome(MeasuredWindow.Span span, long received, long lastOffset) {
    }

    /** Counts records on the socket's event loop; the window closes on the one that completes the backlog. */
    private static final class Reader implements ConsumeSocket.Listener {

        private final long target;
        private final MeasuredWindow window = MeasuredWindow.open();
        private final CompletableFuture<Outcome> done = new CompletableFuture<>();
        private long received;
        private long lastOffset = -1;

        Reader(long target) {
            this.target = target;
        }

        @Override
        public void onRecords(int count, long lastOffset) {
            received += count;
            this.lastOffset = lastOffset;
            if (received >= target && !done.isDone()) {
                done.complete(new Outcome(window.close(), received, lastOffset));
            }
        }

        @Override
        public void onFailure(Throwable failure) {
            done.completeExceptionally(failure);
        }
    }
}
