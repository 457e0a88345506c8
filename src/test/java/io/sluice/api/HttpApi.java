package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A small client of Sluice's REST API for tests, on the JDK's {@link HttpClient} so that a test
 * controls every byte of a request (bodies that are not valid UTF-8, exact Content-Type headers).
 */
final class HttpApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final URI base;

    HttpApi(URI base) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    /** A reply: its status, Content-Type (or null) and body text. */
    record Reply(int status, String contentType, String body) {
        JsonNode json() {
            return parse(body);
        }
    }

    URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /** The WebSocket URI of {@code pathAndQuery} on the same server. */
    URI ws(String pathAndQuery) {
        return URI.create(base.toString().replaceFirst("^http", "ws") + pathAndQuery);
    }

    Reply send(String method, String pathAndQuery, String contentType, byte[] body) {
        try {
            return sendAsync(method, pathAndQuery, contentType, body).join();
        } catch (java.util.concurrent.CompletionException e) {
            throw new IllegalStateException(method + " " + pathAndQuery + " failed", e.getCause());
        }
    }

    CompletableFuture<Reply> sendAsync(String method, String pathAndQuery, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(REQUEST_TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return CLIENT.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(r -> new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                        r.body()));
    }

    Reply get(String pathAndQuery) {
        return send("GET", pathAndQuery, null, null);
    }

    Reply post(String pathAndQuery, String json) {
        return send("POST", pathAndQuery, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Reply patch(String pathAndQuery, String json) {
        return send("PATCH", pathAndQuery, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    Reply delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, null, null);
    }

    // ---- typed helpers that assert success --------------------------------------------------------

    JsonNode createTopic(String name, int partitions, Map<String, String> config) {
        ObjectNode request = JSON.createObjectNode().put("name", name).put("partitions", partitions)
                .put("replicationFactor", 1);
        ObjectNode c = request.putObject("config");
        config.forEach(c::put);
        Reply r = post("/topics", request.toString());
        assertEquals(201, r.status(), () -> "create " + name + ": " + r.body());
        return r.json();
    }

    JsonNode createTopic(String name, int partitions) {
        return createTopic(name, partitions, Map.of());
    }

    JsonNode describe(String topic) {
        Reply r = get("/topics/" + topic);
        assertEquals(200, r.status(), () -> "describe " + topic + ": " + r.body());
        return r.json();
    }

    /** {@code partitionStates[].logEndOffset} of a topic, by partition. */
    List<Long> logEndOffsets(String topic) {
        List<Long> ends = new ArrayList<>();
        for (JsonNode p : describe(topic).get("partitionStates")) {
            ends.add(p.get("logEndOffset").asLong());
        }
        return ends;
    }

    /** Produces and returns the reply's {@code offsets} array, asserting a 200. */
    JsonNode produce(String topic, String query, String body) {
        Reply r = post("/topics/" + topic + "/records" + query, body);
        assertEquals(200, r.status(), () -> "produce to " + topic + ": " + r.body());
        assertTrue(r.contentType().startsWith("application/json"), r::contentType);
        return r.json().get("offsets");
    }

    /** Fetches and returns the whole reply ({@code records, nextOffset, highWatermark}), asserting a 200. */
    JsonNode fetch(String topic, int partition, String query) {
        Reply r = get("/topics/" + topic + "/partitions/" + partition + "/records" + query);
        assertEquals(200, r.status(), () -> "fetch " + topic + "-" + partition + ": " + r.body());
        return r.json();
    }

    void deleteTopicIfExists(String topic) {
        Reply r = delete("/topics/" + topic);
        assertTrue(r.status() == 204 || r.status() == 404, () -> "delete " + topic + ": " + r.body());
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    /** A unique suffix for topic names: the test data dir outlives a run, and tests share one broker. */
    static String runId() {
        return Long.toString(System.currentTimeMillis(), 36) + Long.toString(System.nanoTime() % 1296, 36);
    }
}
