package io.sluice.operator.topic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The topic part of a broker's REST API, in memory, over real HTTP: enough for the topic
 * reconciler's requests, answering errors as problem+json with the broker's codes.
 */
final class TopicApiStub implements AutoCloseable {
    record Topic(String id, int partitions, int replicationFactor, Map<String, String> config) {
    }

    final Map<String, Topic> topics = new ConcurrentHashMap<>();
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;

    TopicApiStub() throws IOException {
        // Port 0: the kernel picks a free one for this in-process server, with no race.
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/topics", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(method + " " + path);
        String[] parts = path.split("/");
        try {
            if (parts.length == 2 && method.equals("POST")) {
                JsonNode request = json.readTree(body);
                String name = request.get("name").asText();
                if (topics.containsKey(name)) {
                    problem(exchange, 409, "TOPIC_ALREADY_EXISTS");
                    return;
                }
                Map<String, String> config = new LinkedHashMap<>();
                request.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
                topics.put(name, new Topic(UUID.randomUUID().toString(), request.get("partitions").asInt(),
                        request.get("replicationFactor").asInt(), config));
                send(exchange, 201, describe(name));
                return;
            }
            String name = parts[2];
            Topic topic = topics.get(name);
            if (topic == null) {
                problem(exchange, 404, "TOPIC_NOT_FOUND");
                return;
            }
            if (parts.length == 3 && method.equals("GET")) {
                send(exchange, 200, describe(name));
            } else if (parts.length == 3 && method.equals("DELETE")) {
                topics.remove(name);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            } else if (parts.length == 4 && parts[3].equals("partitions") && method.equals("POST")) {
                int count = json.readTree(body).get("count").asInt();
                if (count <= topic.partitions()) {
                    problem(exchange, 400, "INVALID_PARTITIONS");
                    return;
                }
                topics.put(name, new Topic(topic.id(), count, topic.replicationFactor(), topic.config()));
                send(exchange, 200, describe(name));
            } else if (parts.length == 4 && parts[3].equals("config") && method.equals("PATCH")) {
                Map<String, String> config = new LinkedHashMap<>(topic.config());
                json.readTree(body).get("config").fields().forEachRemaining(e -> {
                    if (e.getValue().isNull()) {
                        config.remove(e.getKey());
                    } else {
                        config.put(e.getKey(), e.getValue().asText());
                    }
                });
                topics.put(name, new Topic(topic.id(), topic.partitions(), topic.replicationFactor(), config));
                send(exchange, 200, describe(name));
            } else {
                problem(exchange, 405, "INVALID_REQUEST");
            }
        } catch (RuntimeException e) {
            problem(exchange, 400, "INVALID_REQUEST");
        }
    }

    private ObjectNode describe(String name) {
        Topic topic = topics.get(name);
        ObjectNode node = json.createObjectNode()
                .put("name", name)
                .put("id", topic.id())
                .put("partitions", topic.partitions())
                .put("replicationFactor", topic.replicationFactor());
        node.set("configOverrides", json.valueToTree(topic.config()));
        return node;
    }

    private void problem(HttpExchange exchange, int status, String code) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
        send(exchange, status, json.createObjectNode().put("status", status).put("code", code).put("title", code));
    }

    private void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
