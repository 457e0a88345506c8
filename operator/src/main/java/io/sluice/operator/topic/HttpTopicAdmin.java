package io.sluice.operator.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@link TopicAdmin} over the brokers' REST API with {@code java.net.http}. */
public final class HttpTopicAdmin implements TopicAdmin {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Topic creation answers once every partition has a leader: allow for an election. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    public HttpTopicAdmin() {
        this(HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build());
    }

    public HttpTopicAdmin(HttpClient http) {
        this.http = http;
    }

    @Override
    public Optional<TopicDescription> describe(URI cluster, String topic) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(topicUri(cluster, topic, "")).GET());
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(description(expect(response, 200)));
    }

    @Override
    public TopicDescription create(URI cluster, String topic, int partitions, int replicationFactor, Map<String, String> config) {
        ObjectNode body = json.createObjectNode()
                .put("name", topic)
                .put("partitions", partitions)
                .put("replicationFactor", replicationFactor);
        body.set("config", json.valueToTree(config == null ? Map.of() : config));
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(cluster + "/topics"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        return description(expect(response, 201));
    }

    @Override
    public void addPartitions(URI cluster, String topic, int count) {
        String body = json.createObjectNode().put("count", count).toString();
        expect(send(HttpRequest.newBuilder(topicUri(cluster, topic, "/partitions"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))), 200);
    }

    @Override
    public void updateConfig(URI cluster, String topic, Map<String, String> changes) {
        ObjectNode body = json.createObjectNode();
        body.set("config", json.valueToTree(changes));
        expect(send(HttpRequest.newBuilder(topicUri(cluster, topic, "/config"))
                .header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body.toString()))), 200);
    }

    @Override
    public void delete(URI cluster, String topic) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(topicUri(cluster, topic, "")).DELETE());
        if (response.statusCode() != 404) {
            expect(response, 204);
        }
    }

    private static URI topicUri(URI cluster, String topic, String suffix) {
        return URI.create(cluster + "/topics/" + URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20") + suffix);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(REQUEST_TIMEOUT).header("Accept", "application/json").build();
        try {
            return http.send(built, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new TopicAdminException(0, null, built.method() + " " + built.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicAdminException(0, null, built.method() + " " + built.uri() + " interrupted", e);
        }
    }

    /** The body as JSON when the status is one of {@code expected} (2xx other than those count too). */
    private JsonNode expect(HttpResponse<String> response, int expected) {
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (status == expected || (status >= 200 && status < 300)) {
            return body;
        }
        String code = body.path("code").asText(null);
        String detail = body.path("detail").asText(body.path("title").asText(response.body()));
        throw new TopicAdminException(status, code, response.request().method() + " " + response.request().uri()
                + " → " + status + (code == null ? "" : " " + code) + ": " + detail, null);
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private static TopicDescription description(JsonNode topic) {
        Map<String, String> overrides = new LinkedHashMap<>();
        topic.path("configOverrides").fields().forEachRemaining(e -> overrides.put(e.getKey(), e.getValue().asText()));
        return new TopicDescription(
                topic.path("name").asText(),
                topic.path("id").asText(null),
                topic.path("partitions").asInt(),
                topic.path("replicationFactor").asInt(),
                overrides);
    }
}
