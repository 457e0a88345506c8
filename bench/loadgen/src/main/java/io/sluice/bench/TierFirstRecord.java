package io.sluice.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;

/**
 * Time to the first record from the tier: fetches of one record ({@code maxRecords=1}) at
 * offsets below the partition's local log start, which only the object store holds. Cold: each
 * fetch at another remote segment, spread evenly over the tiered range, so neither the segment's
 * index nor its bytes are in the broker's read cache; the first is offset 0, which right after a
 * broker restart also meets a cold connection to the store. Cached: offset 0 again, now served
 * from the cache. The wait is the client's, from sending the request to the whole reply.
 */
final class TierFirstRecord implements Command {

    /** The API's default {@code maxBytes}: what a client asking for one record would send. */
    private static final int FETCH_MAX_BYTES = 1024 * 1024;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        String topic = args.required("topic");
        int samples = args.integer("samples", 5);
        args.requireAllRead();

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest rest = new SluiceRest(vertx, url, 1);
            long tieredEnd = Benchmarks.await(rest.partitionState(topic), CALL_TIMEOUT).getLong("localLogStartOffset");
            if (tieredEnd < samples) {
                throw new IllegalStateException(topic + " has too little in the tier: local log start " + tieredEnd);
            }
            long coldFirstMicros = fetchOneMicros(rest, topic, 0);
            LatencySamples cold = new LatencySamples(samples);
            cold.add(coldFirstMicros);
            for (int i = 1; i < samples; i++) {
                cold.add(fetchOneMicros(rest, topic, tieredEnd * i / samples));
            }
            LatencySamples cached = new LatencySamples(samples);
            for (int i = 0; i < samples; i++) {
                cached.add(fetchOneMicros(rest, topic, 0));
            }
            return new Result()
                    .put("samples", samples)
                    .put("tiered_end_offset", tieredEnd)
                    .put("cold_first_ms", coldFirstMicros / 1000.0)
                    .put("cold_p50_ms", cold.percentileMillis(50))
                    .put("cold_max_ms", cold.percentileMillis(100))
                    .put("cached_p50_ms", cached.percentileMillis(50))
                    .put("cached_max_ms", cached.percentileMillis(100));
        } finally {
            Benchmarks.close(vertx);
        }
    }

    /** One fetch of the record at {@code offset}; its wait in microseconds. */
    private static long fetchOneMicros(SluiceRest rest, String topic, long offset) throws Exception {
        long start = System.nanoTime();
        SluiceRest.Reply reply = Benchmarks.await(rest.fetch(topic, offset, 1, FETCH_MAX_BYTES), CALL_TIMEOUT);
        long micros = (System.nanoTime() - start) / 1_000;
        if (reply.status() != 200) {
            throw new IllegalStateException("fetch at " + offset + ": " + reply);
        }
        byte[] body = reply.body().getBytes();
        ConsumeMessage.Parsed parsed = ConsumeMessage.parse(body, body.length, null);
        if (parsed.records() != 1 || parsed.lastOffset() != offset) {
            throw new IllegalStateException("fetch at " + offset + " returned " + parsed.records()
                    + " records ending at " + parsed.lastOffset());
        }
        return micros;
    }
}
