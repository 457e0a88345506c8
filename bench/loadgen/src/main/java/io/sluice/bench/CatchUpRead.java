package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;

/**
 * Catch-up read throughput over REST: one reader far behind the log end fetches {@code records}
 * records from {@code offset} on, one fetch at a time, each from where the last one ended
 * ({@code maxBytes} 8 MiB, {@code format=binary}); a fetch returns data of one segment at most.
 * Below a partition's local log start the broker serves the fetches from the tier; on a topic
 * without it, from the local log. The records must come dense and in order.
 */
final class CatchUpRead implements Command {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        String topic = args.required("topic");
        long offset = args.longValue("offset", 0);
        long records = args.longValue("records", 1_000_000);
        int maxBytes = args.integer("max-bytes", 8 * 1024 * 1024);
        int maxRecords = args.integer("max-records", 10_000);
        int recordSize = args.integer("record-size", 1024);
        args.requireAllRead();

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest rest = new SluiceRest(vertx, url, 1);
            long next = offset;
            long end = offset + records;
            int fetches = 0;
            MeasuredWindow window = MeasuredWindow.open();
            while (next < end) {
                SluiceRest.Reply reply = Benchmarks.await(rest.fetch(topic, next, maxRecords, maxBytes), CALL_TIMEOUT);
                if (reply.status() != 200) {
                    throw new IllegalStateException("fetch at " + next + ": " + reply);
                }
                byte[] body = reply.body().getBytes();
                ConsumeMessage.Parsed parsed = ConsumeMessage.parse(body, body.length, null);
                if (parsed.records() == 0 || parsed.lastOffset() != next + parsed.records() - 1) {
                    throw new IllegalStateException("fetch at " + next + " returned " + parsed.records()
                            + " records ending at " + parsed.lastOffset() + ", not a dense run from " + next);
                }
                next = parsed.lastOffset() + 1;
                fetches++;
            }
            MeasuredWindow.Span span = window.close();
            long read = next - offset;
            double recordsPerSecond = read / span.seconds();
            return new Result()
                    .put("records", read)
                    .put("fetches", fetches)
                    .put("seconds", span.seconds())
                    .put("records_per_sec", recordsPerSecond)
                    .put("mib_per_sec", recordsPerSecond * recordSize / (1024.0 * 1024.0))
                    .put("client_cpu_pct", span.cpuPercentOfOneCore());
        } finally {
            Benchmarks.close(vertx);
        }
    }
}
