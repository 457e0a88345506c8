package io.sluice.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closed-loop produce throughput over REST: {@code inflight} identical batches are always
 * outstanding (one per keep-alive connection); each reply sends the next. The first
 * {@code warmup-records} warm both JITs and are not measured; the window then runs until
 * {@code records} more are acknowledged, or {@code max-seconds} pass (the result then says
 * {@code complete=false}). Any error reply stops the run: a benchmark of failures is no benchmark.
 */
final class ProduceThroughput implements Command {

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        Settings settings = Settings.from(args, 100_000);
        args.requireAllRead();

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest rest = new SluiceRest(vertx, url, settings.inflight());
            Benchmarks.await(rest.createTopic(settings.topic(), 1, settings.topicConfig()), Duration.ofSeconds(30));
            return start(vertx, rest, settings).get(settings.bound().toSeconds(), TimeUnit.SECONDS);
        } finally {
            Benchmarks.close(vertx);
        }
    }

    /**
     * Starts a run on an event loop of {@code vertx} through {@code rest}, whose pool must hold
     * {@code inflight} connections; the future completes with its result.
     */
    static CompletableFuture<Result> start(Vertx vertx, SluiceRest rest, Settings settings) {
        Run run = new Run(rest, settings);
        vertx.getOrCreateContext().runOnContext(ignored -> run.start());
        return run.done;
    }

    /** {@code topicConfig} applies when the run creates the topic (from {@code --topic-config k=v,...}). */
    record Settings(String topic, Map<String, String> topicConfig, String acks, String format, int batch,
                    int recordSize, int inflight, long warmupRecords, long records, Duration maxTime) {

        static Settings from(Args args, long defaultWarmupRecords) {
            return new Settings(
                    args.required("topic"),
                    args.keyValues("topic-config"),
                    args.string("acks", "all"),
                    args.string("format", "binary"),
                    args.integer("batch", 100),
                    args.integer("record-size", 1024),
                    args.integer("inflight", 8),
                    args.longValue("warmup-records", defaultWarmupRecords),
                    args.longValue("records", 1_000_000),
                    Duration.ofSeconds(args.longValue("max-seconds", 60)));
        }

        long requests() {
            return (warmupRecords + records + batch - 1) / batch;
        }

        /** How long a caller waits for the result: the cap covers the warm-up and the window each. */
        Duration bound() {
            return maxTime.multipliedBy(2).plusSeconds(60);
        }
    }

    /** The state of one run; touched only on its event loop, so it needs no locks. */
    private static final class Run {

        private final SluiceRest rest;
        private final Settings settings;
        private final Buffer body;
        private final CompletableFuture<Result> done = new CompletableFuture<>();
        private long requestsSent;
        private int outstanding;
        private long ackedRecords;
        private long ackedAtWindowOpen;
        private long deadlineNanos;
        private MeasuredWindow window;
        private boolean firstReplyChecked;

        Run(SluiceRest rest, Settings settings) {
            this.rest = rest;
            this.settings = settings;
            byte[] value = ProduceBody.letters(settings.recordSize(), 1);
            this.body = ProduceBody.batch(ProduceBody.recordJson(value, settings.format()), settings.batch());
        }

        void start() {
            // the same bound covers the warm-up, so a stalled broker cannot hold the run forever
            deadlineNanos = System.nanoTime() + settings.maxTime().toNanos();
            if (settings.warmupRecords() == 0) {
                openWindow();
            }
            for (int i = 0; i < settings.inflight(); i++) {
                sendNext();
            }
        }

        private void sendNext() {
            if (done.isDone()) {
                return;
            }
            if (requestsSent == settings.requests() || System.nanoTime() >= deadlineNanos) {
                if (outstanding == 0) {
                    finish();
                }
                return;
            }
            requestsSent++;
            outstanding++;
            rest.produce(settings.topic(), settings.acks(), settings.format(), body).onComplete(this::onReply);
        }

        private void onReply(AsyncResult<SluiceRest.Reply> reply) {
            outstanding--;
            if (reply.failed()) {
                done.completeExceptionally(reply.cause());
                return;
            }
            if (reply.result().status() != 200) {
                done.completeExceptionally(new IllegalStateException("produce: " + reply.result()));
                return;
            }
            if (!firstReplyChecked) {
                checkOffsets(reply.result());
                firstReplyChecked = true;
            }
            ackedRecords += settings.batch();
            if (window == null && ackedRecords >= settings.warmupRecords()) {
                openWindow();
            }
            sendNext();
        }

        private void openWindow() {
            window = MeasuredWindow.open();
            ackedAtWindowOpen = ackedRecords;
            deadlineNanos = System.nanoTime() + settings.maxTime().toNanos();
        }

        /** Once per run: the reply must carry one offset per record, so we count what the broker took. */
        private void checkOffsets(SluiceRest.Reply reply) {
            JsonArray offsets = new JsonObject(reply.body()).getJsonArray("offsets");
            if (offsets == null || offsets.size() != settings.batch()) {
                done.completeExceptionally(new IllegalStateException(
                        "expected " + settings.batch() + " offsets in " + reply));
            }
        }

        private void finish() {
            if (window == null) {
                done.completeExceptionally(new IllegalStateException("warm-up of " + settings.warmupRecords()
                        + " records did not finish within " + settings.maxTime()));
                return;
            }
            MeasuredWindow.Span span = window.close();
            long measured = ackedRecords - ackedAtWindowOpen;
            double recordsPerSecond = measured / span.seconds();
            done.complete(new Result()
                    .put("records", measured)
                    .put("seconds", span.seconds())
                    .put("records_per_sec", recordsPerSecond)
                    .put("mib_per_sec", recordsPerSecond * settings.recordSize() / (1024.0 * 1024.0))
                    .put("client_cpu_pct", span.cpuPercentOfOneCore())
                    .put("complete", requestsSent == settings.requests()));
        }
    }
}
