package io.sluice.operator.roll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A broker's REST API over real HTTP on 127.0.0.1, backed by a small in-memory cluster the test
 * shapes: registered brokers, topics with replicas and ISR, reassignment targets. A reassignment
 * stays in progress until the test {@link #completeMoves()}. The drain endpoint answers from
 * {@link #drainAnswers} (leaderships left, or a negative HTTP status to fail with); with none queued
 * for a broker it answers 404 as an older broker without the route.
 */
final class FakeBrokerApi implements AutoCloseable {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    final Map<Integer, Boolean> alive = new TreeMap<>();
    final Map<Integer, String> racks = new TreeMap<>();
    /** topic -> partition -> replicas. */
    final Map<String, Map<Integer, List<Integer>>> replicas = new TreeMap<>();
    final Map<String, Integer> replicationFactors = new TreeMap<>();
    /** topic -> partition -> target, while moving. */
    final Map<String, Map<Integer, List<Integer>>> targets = new TreeMap<>();
    final List<String> posts = new CopyOnWriteArrayList<>();
    volatile int underReplicated;
    /** broker -> answers to its next drain requests: leaderships left, or -status to fail with that status. */
    final Map<Integer, java.util.Deque<Integer>> drainAnswers = new TreeMap<>();
    final List<String> drains = new CopyOnWriteArrayList<>();

    FakeBrokerApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void topic(String name, int rf, Map<Integer, List<Integer>> assignment) {
        replicas.put(name, new TreeMap<>(assignment));
        replicationFactors.put(name, rf);
    }

    /** Every reassignment reaches its target. */
    synchronized void completeMoves() {
        targets.forEach((topic, moves) -> replicas.get(topic).putAll(moves));
        targets.clear();
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        byte[] body = exchange.getRequestBody().readAllBytes();
        Object answer;
        int status = 200;
        String[] parts = path.split("/");
        if (path.equals("/cluster")) {
            List<Map<String, Object>> brokers = new ArrayList<>();
            alive.forEach((id, up) -> {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("id", id);
                b.put("host", "h" + id);
                b.put("port", 8080);
                b.put("rack", racks.get(id));
                b.put("alive", up);
                brokers.add(b);
            });
            answer = Map.of("clusterId", "c", "controller", 0, "quorum", true, "brokers", brokers,
                    "underReplicatedPartitions", underReplicated, "offlinePartitions", 0);
        } else if (parts.length == 5 && path.startsWith("/cluster/brokers/") && parts[4].equals("drain")
                && drainAnswers.containsKey(Integer.parseInt(parts[3]))
                && !drainAnswers.get(Integer.parseInt(parts[3])).isEmpty()) {
            int broker = Integer.parseInt(parts[3]);
            drains.add(method + " " + broker + " " + exchange.getRequestURI().getQuery());
            int next = drainAnswers.get(broker).poll();
            if (next < 0) {
                status = -next;
                answer = Map.of("status", status, "code", "BROKER_BUSY", "detail", "try again");
            } else {
                answer = Map.of("broker", broker, "draining", true, "leaderships", next);
            }
        } else if (path.equals("/topics")) {
            List<Map<String, Object>> topics = new ArrayList<>();
            replicas.forEach((name, ps) -> topics.add(Map.of("name", name, "partitions", ps.size(),
                    "replicationFactor", replicationFactors.get(name))));
            answer = topics;
        } else if (parts.length == 4 && parts[3].equals("reassignments") && replicas.containsKey(parts[2])) {
            String topic = parts[2];
            if (method.equals("POST")) {
                posts.add(topic + " " + new String(body));
                JsonNode request = json.readTree(body);
                for (JsonNode p : request.get("partitions")) {
                    List<Integer> target = new ArrayList<>();
                    p.get("replicas").forEach(r -> target.add(r.intValue()));
                    targets.computeIfAbsent(topic, t -> new TreeMap<>()).put(p.get("partition").intValue(), target);
                }
                status = 202;
            }
            List<Map<String, Object>> partitions = new ArrayList<>();
            replicas.get(topic).forEach((p, rs) -> {
                List<Integer> target = targets.getOrDefault(topic, Map.of()).getOrDefault(p, List.of());
                partitions.add(Map.of("partition", p, "replicas", rs, "isr", rs, "targetReplicas", target,
                        "adding", target.stream().filter(b -> !rs.contains(b)).toList(),
                        "removing", target.isEmpty() ? List.of() : rs.stream().filter(b -> !target.contains(b)).toList()));
            });
            answer = Map.of("partitions", partitions);
        } else {
            status = 404;
            answer = Map.of("status", 404, "code", "NOT_FOUND", "detail", "no route " + path);
        }
        byte[] out = json.writeValueAsBytes(answer);
        exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, out.length);
        exchange.getResponseBody().write(out);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
