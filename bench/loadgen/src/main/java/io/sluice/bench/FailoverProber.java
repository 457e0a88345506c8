package io.sluice.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * The write probes of a failover round: one record with {@code acks=all} to one partition, sent
 * through one surviving broker at a time, each bounded by its own timeout. A probe counts as
 * acknowledged only on 200 with an offset for the record; 207 (the partition refused it:
 * no leader, not enough in-sync replicas), any other status and transport failures are counted
 * by label for the result line.
 */
final class FailoverProber {

    /** The first acknowledged probe: when its reply came and through which broker. */
    record Success(long ackNanos, int broker) {
    }

    /** Enough connections that probes held by a broker for the whole timeout do not queue the next. */
    private static final int POOL_SIZE = 512;

    private final Vertx vertx;
    private final Context context;
    private final List<Integer> survivors;
    private final List<HttpClient> clients = new ArrayList<>();
    private final String uri;
    private final Buffer body;
    private final Duration requestTimeout;
    private final Outcomes outcomes = new Outcomes();
    private volatile long probes;

    FailoverProber(Vertx vertx, ClusterBrokers brokers, List<Integer> survivors, String topic, int partition,
                   Duration requestTimeout) {
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext();
        this.survivors = List.copyOf(survivors);
        this.requestTimeout = requestTimeout;
        for (int broker = 0; broker < brokers.size(); broker++) {
            URI url = brokers.url(broker);
            clients.add(vertx.createHttpClient(new HttpClientOptions()
                    .setDefaultHost(url.getHost())
                    .setDefaultPort(url.getPort())
                    .setKeepAlive(true)
                    .setMaxPoolSize(POOL_SIZE)
                    .setConnectTimeout((int) Math.min(requestTimeout.toMillis(), 1_000))));
        }
        this.uri = "/topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8) + "/records?acks=all&format=binary";
        this.body = new JsonObject().put("records", new JsonArray().add(new JsonObject()
                .put("value", "ZmFpbG92ZXI=") // "failover"
                .put("partition", partition))).toBuffer();
    }

    long probes() {
        return probes;
    }

    /** The probes' ends by label, such as {@code 200x1,207:NOT_ENOUGH_REPLICAS x3,timeout x2}, without spaces. */
    String outcomes() {
        return outcomes.toString().replace(", ", ",").replace('×', 'x');
    }

    /** Sends probes through {@code broker}, one after the other, until one is acknowledged. */
    void awaitWrite(int broker, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "none";
        while (System.nanoTime() < deadline) {
            Promise<String> label = Promise.promise();
            context.runOnContext(ignored -> probe(broker).onComplete(label));
            last = Benchmarks.await(label.future(), requestTimeout.plusSeconds(5));
            if (last.equals("200")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new TimeoutException("broker " + broker + " acknowledged no write before the signal within " + timeout
                + " (last: " + last + ")");
    }

    /**
     * Starts a probe every {@code interval} through the survivors in turn; completes with the
     * first acknowledgement, or fails once {@code timeout} has passed since {@code startNanos}.
     */
    CompletableFuture<Success> firstAcknowledgement(long startNanos, Duration interval, Duration timeout) {
        CompletableFuture<Success> first = new CompletableFuture<>();
        long deadline = startNanos + timeout.toNanos();
        context.runOnContext(ignored -> {
            long[] sent = {0};
            Runnable fire = () -> {
                if (System.nanoTime() >= deadline) {
                    first.completeExceptionally(new TimeoutException("no write acknowledged within " + timeout
                            + " of the signal; " + probes + " probes: " + outcomes));
                    return;
                }
                int broker = survivors.get((int) (sent[0]++ % survivors.size()));
                probes++;
                probe(broker).onSuccess(label -> {
                    if (label.equals("200")) {
                        first.complete(new Success(System.nanoTime(), broker));
                    }
                });
            };
            long timer = vertx.setPeriodic(Math.max(1, interval.toMillis()), id -> {
                if (first.isDone()) {
                    vertx.cancelTimer(id);
                } else {
                    fire.run();
                }
            });
            first.whenComplete((success, failure) -> vertx.cancelTimer(timer));
            fire.run();
        });
        return first;
    }

    /** One probe through {@code broker}; always succeeds, with the label of how it ended. Event loop only. */
    private Future<String> probe(int broker) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri)
                .putHeader("Content-Type", "application/json")
                .setIdleTimeout(requestTimeout.toMillis());
        return clients.get(broker).request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(content -> label(response.statusCode(), content)))
                .otherwise(FailoverProber::label)
                .onSuccess(outcomes::add);
    }

    /** "200" only for an offset; else the status with the problem's or the record's error code. */
    private static String label(int status, Buffer content) {
        try {
            JsonObject reply = content.toJsonObject();
            if (status == 200) {
                JsonArray offsets = reply.getJsonArray("offsets");
                JsonObject result = offsets == null || offsets.isEmpty() ? null : offsets.getJsonObject(0);
                return result != null && result.containsKey("offset") && !result.containsKey("error") ? "200" : "200:no-offset";
            }
            String code = reply.getString("code");
            JsonArray offsets = reply.getJsonArray("offsets");
            if (code == null && offsets != null && !offsets.isEmpty() && offsets.getJsonObject(0).containsKey("error")) {
                code = offsets.getJsonObject(0).getJsonObject("error").getString("code");
            }
            return code == null ? Integer.toString(status) : status + ":" + code;
        } catch (RuntimeException notJson) {
            return Integer.toString(status);
        }
    }

    private static String label(Throwable failure) {
        if (failure instanceof ConnectException) {
            return "refused";
        }
        String message = String.valueOf(failure.getMessage()).toLowerCase(Locale.ROOT);
        if (failure instanceof TimeoutException || message.contains("timeout") || message.contains("timed out")) {
            return "timeout";
        }
        return message.contains("reset") ? "reset" : "closed";
    }
}
