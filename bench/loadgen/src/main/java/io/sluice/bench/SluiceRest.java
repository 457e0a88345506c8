package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * The part of Sluice's REST API (docs: shared API.md) that the benchmark drives, over one
 * Vert.x client whose pool keeps {@code connections} keep-alive connections open. Without
 * pipelining each connection carries one request at a time, so the pool size is the number of
 * produce requests that can be in flight.
 */
final class SluiceRest {

    private static final String JSON = "application/json";

    private final HttpClient client;

    SluiceRest(Vertx vertx, URI base, int connections) {
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
        Buffer body = new JsonObject()
                .put("name", topic)
                .put("partitions", partitions)
                .put("replicationFactor", 1)
                .put("config", new JsonObject())
                .toBuffer();
        return send(HttpMethod.POST, "/topics", body).compose(reply -> reply.status() == 201 || reply.status() == 409
                ? Future.succeededFuture()
                : Future.failedFuture("create topic " + topic + ": " + reply));
    }

    /** Sends one produce request; the caller decides what a status other than 200 means. */
    Future<Reply> produce(String topic, String acks, String format, Buffer body) {
        String uri = "/topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8)
                + "/records?acks=" + acks + "&format=" + format;
        return send(HttpMethod.POST, uri, body);
    }

    private Future<Reply> send(HttpMethod method, String uri, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).putHeader("Content-Type", JSON);
        return client.request(options)
                .compose(request -> request.send(body))
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
