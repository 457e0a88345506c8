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
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The part of Sluice's REST API (docs: shared API.md) that the benchmark drives, over one
 * Vert.x client whose pool keeps {@code connections} keep-alive connections open. Without
 * pipelining each connection carries one request at a time, so the pool size is the number of
 * produce requests that can be in flight.
 */
final class SluiceRest {

    private static final String JSON = "application/json";

    private final HttpClient client;
    private final Context context;

    SluiceRest(Vertx vertx, URI base, int connections) {
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort())
                .setKeepAlive(true)
                .setMaxPoolSize(connections)
                // a stalled broker must fail the run, not hang it
                .setIdleTimeout(60));
    }

    /** Creates a topic; an existing one (409) is fine, so reruns can reuse names. */
    Future<Void> createTopic(String topic, int partitions) {
        return createTopic(topic, partitions, Map.of());
    }

    /** As {@link #createTopic(String, int)}, with topic config such as {@code segment.bytes}. */
    Future<Void> createTopic(String topic, int partitions, Map<String, String> config) {
        return createTopic(topic, partitions, 1, config);
    }

    /** As {@link #createTopic(String, int, Map)}, replicated {@code replicationFactor} times (a cluster). */
    Future<Void> createTopic(String topic, int partitions, int replicationFactor, Map<String, String> config) {
        JsonObject topicConfig = new JsonObject();
        config.forEach(topicConfig::put);
        Buffer body = new JsonObject()
                .put("name", topic)
                .put("partitions", partitions)
                .put("replicationFactor", replicationFactor)
                .put("config", topicConfig)
                .toBuffer();
        return send(HttpMethod.POST, "/topics", body).compose(reply -> reply.status() == 201 || reply.status() == 409
                ? Future.succeededFuture()
                : Future.failedFuture("create topic " + topic + ": " + reply));
    }

    /** Sends one produce request; the caller decides what a status other than 200 means. */
    Future<Reply> produce(String topic, String acks, String format, Buffer body) {
        String uri = topicPath(topic) + "/records?acks=" + acks + "&format=" + format;
        return send(HttpMethod.POST, uri, body);
    }

    /**
     * One fetch of partition 0's records from {@code offset} ({@code format=binary}); the caller
     * decides what a status other than 200 means.
     */
    Future<Reply> fetch(String topic, long offset, int maxRecords, int maxBytes) {
        return send(HttpMethod.GET, topicPath(topic) + "/partitions/0/records?offset=" + offset
                + "&maxRecords=" + maxRecords + "&maxBytes=" + maxBytes + "&format=binary", null);
    }

    /** {@code partitionStates[0]} of {@code GET /topics/{t}}: log start, local log start, tiered bytes... */
    Future<JsonObject> partitionState(String topic) {
        return partitionState(topic, 0);
    }

    /** {@code GET /topics/{t}}: the whole description. */
    Future<JsonObject> topic(String topic) {
        return getJson(topicPath(topic), Set.of(200));
    }

    /** The entry of {@code partitionStates} for {@code partition}: leader, leader epoch, ISR, offsets... */
    Future<JsonObject> partitionState(String topic, int partition) {
        return getJson(topicPath(topic), Set.of(200)).compose(t -> {
            JsonArray states = t.getJsonArray("partitionStates");
            for (int i = 0; states != null && i < states.size(); i++) {
                if (states.getJsonObject(i).getInteger("partition", -1) == partition) {
                    return Future.succeededFuture(states.getJsonObject(i));
                }
            }
            return Future.failedFuture("GET /topics/" + topic + ": no state for partition " + partition);
        });
    }

    /** Bytes of closed segments waiting for upload to the tier, from {@code /q/health/group/storage}. */
    Future<Long> uploadBacklogBytes() {
        // 503 is a storage alarm (low disk), reported with the same data
        return getJson("/q/health/group/storage", Set.of(200, 503)).map(SluiceRest::uploadBacklog);
    }

    /** The storage group holds more than one check, in no fixed order: the backlog is in {@code sluice-storage}. */
    private static long uploadBacklog(JsonObject health) {
        for (Object check : health.getJsonArray("checks")) {
            JsonObject c = (JsonObject) check;
            if ("sluice-storage".equals(c.getString("name"))) {
                return c.getJsonObject("data").getLong("uploadBacklogBytes");
            }
        }
        throw new IllegalStateException("no sluice-storage check in " + health);
    }

    private Future<JsonObject> getJson(String uri, Set<Integer> accepted) {
        return send(HttpMethod.GET, uri, null).compose(reply -> accepted.contains(reply.status())
                ? Future.succeededFuture(new JsonObject(reply.body()))
                : Future.failedFuture("GET " + uri + ": " + reply));
    }

    private static String topicPath(String topic) {
        return "/topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8);
    }

    /**
     * Sends a request; {@code body} null sends none. A caller off the event loop (a command's own
     * thread) hands the request to it: built there, the chain could meet a response that has
     * already streamed its body by before {@code body()} was asked for it, and read it as empty.
     */
    private Future<Reply> send(HttpMethod method, String uri, Buffer body) {
        if (Context.isOnEventLoopThread()) {
            return exchange(method, uri, body);
        }
        Promise<Reply> reply = Promise.promise();
        context.runOnContext(ignored -> exchange(method, uri, body).onComplete(reply));
        return reply.future();
    }

    private Future<Reply> exchange(HttpMethod method, String uri, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).putHeader("Content-Type", JSON);
        return client.request(options)
                .compose(request -> body == null ? request.send() : request.send(body))
                .compose(response -> response.body().map(content -> new Reply(response.statusCode(), content)));
    }

    /** A response: status and the whole body. */
    record Reply(int status, Buffer body) {

        @Override
        public String toString() {
            String text = body.toString(StandardCharsets.UTF_8);
            return "HTTP " + status + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
        }
    }
}
