package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Tier upload throughput: produces at full speed (the {@code produce} options, no warm-up by
 * default) into a topic whose closed segments go to the object store and then leave the local
 * disk ({@code --topic-config segment.bytes=...,local.retention.bytes=0}), sampling the broker's
 * upload backlog once a second meanwhile and once as it ends; then waits until the backlog is
 * empty and only the active segment is left on disk. The upload rate is the bytes in the tier over
 * the time from the first produce request to the empty backlog. A backlog that does not grow
 * during the produce means the uploads kept up with it.
 */
final class TierUpload implements Command {

    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration POLL_INTERVAL = Duration.ofMillis(50);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final double MIB = 1024.0 * 1024.0;

    @Override
    public Result run(Args args) throws Exception {
        URI url = Benchmarks.brokerUrl(args);
        ProduceThroughput.Settings produce = ProduceThroughput.Settings.from(args, 0);
        Duration drainLimit = Duration.ofSeconds(args.longValue("drain-seconds", 300));
        args.requireAllRead();

        Vertx vertx = Benchmarks.vertx(1);
        try {
            SluiceRest producer = new SluiceRest(vertx, url, produce.inflight());
            // its own connection, so a sample never waits behind a produce request
            SluiceRest monitor = new SluiceRest(vertx, url, 1);
            Benchmarks.await(producer.createTopic(produce.topic(), 1, produce.topicConfig()), CALL_TIMEOUT);

            long start = System.nanoTime();
            CompletableFuture<Result> produced = ProduceThroughput.start(vertx, producer, produce);
            List<Long> backlogSamples = new ArrayList<>();
            do {
                backlogSamples.add(Benchmarks.await(monitor.uploadBacklogBytes(), CALL_TIMEOUT));
            } while (!isDoneWithin(produced, SAMPLE_INTERVAL));
            Result produceResult = produced.get();
            long producedNanos = System.nanoTime();
            long backlogAtEnd = Benchmarks.await(monitor.uploadBacklogBytes(), CALL_TIMEOUT);
            backlogSamples.add(backlogAtEnd);

            long deadline = producedNanos + drainLimit.toNanos();
            awaitTrue(() -> Benchmarks.await(monitor.uploadBacklogBytes(), CALL_TIMEOUT) == 0, deadline,
                    "the upload backlog to empty");
            long drainedNanos = System.nanoTime();
            awaitTrue(() -> Benchmarks.await(monitor.partitionState(produce.topic()), CALL_TIMEOUT)
                    .getInteger("segments") == 1, deadline, "local retention to leave only the active segment");
            JsonObject partition = Benchmarks.await(monitor.partitionState(produce.topic()), CALL_TIMEOUT);

            long tieredBytes = partition.getLong("tieredBytes");
            double uploadSeconds = (drainedNanos - start) / 1e9;
            return new Result()
                    .put("produce_mib_per_sec", Double.parseDouble(produceResult.field("mib_per_sec")))
                    .put("produce_seconds", Double.parseDouble(produceResult.field("seconds")))
                    .put("tiered_bytes", tieredBytes)
                    .put("upload_seconds", uploadSeconds)
                    .put("upload_mib_per_sec", tieredBytes / MIB / uploadSeconds)
                    .put("drain_seconds", (drainedNanos - producedNanos) / 1e9)
                    .put("backlog_max_mib", backlogSamples.stream().mapToLong(Long::longValue).max().orElse(0) / MIB)
                    .put("backlog_end_mib", backlogAtEnd / MIB)
                    .put("backlog_samples_mib", backlogSamples.stream()
                            .map(bytes -> String.valueOf(Math.round(bytes / MIB))).collect(Collectors.joining(",")))
                    .put("local_log_start_offset", partition.getLong("localLogStartOffset"))
                    .put("complete", Boolean.parseBoolean(produceResult.field("complete")));
        } finally {
            Benchmarks.close(vertx);
        }
    }

    private static boolean isDoneWithin(CompletableFuture<?> future, Duration wait) throws Exception {
        try {
            future.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /** A check of the broker's state, polled until it holds. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitTrue(Condition condition, long deadlineNanos, String what) throws Exception {
        while (!condition.holds()) {
            if (System.nanoTime() > deadlineNanos) {
                throw new TimeoutException("gave up waiting for " + what);
            }
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }
}
