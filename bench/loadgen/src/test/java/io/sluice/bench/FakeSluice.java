package io.sluice.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.URIDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * An in-memory stand-in for the few endpoints of Sluice's API that the load generator uses, as
 * API.md describes them: create topic, describe it, produce (one partition, values kept as sent),
 * fetch, the storage health group, and a credit-limited {@code /ws/consume} reader. It plays a
 * broker whose tier has taken everything at once: a topic's whole log counts as tiered, with no
 * upload backlog. For the cluster commands it describes partition 0 as led by {@link #leader}
 * with every replica in the ISR, and refuses writes (207, {@code NOT_ENOUGH_REPLICAS}) while
 * {@link #writable} says no. It lets the load generator be tested without the broker; it proves
 * the client speaks the contract, not that any broker is fast.
 */
final class FakeSluice implements AutoCloseable {

    private static final int MAX_RECORDS_PER_MESSAGE = 500;

    private final Vertx vertx = Vertx.vertx();
    private final Map<String, List<String>> topics = new ConcurrentHashMap<>();
    private final Map<String, Integer> replicationFactors = new ConcurrentHashMap<>();
    /** The broker id that describe names as the leader of every partition. */
    volatile int leader;
    /** Whether a produce is acknowledged now; a failover test switches it off and on. */
    volatile BooleanSupplier writable = () -> true;
    private final HttpServer server;

    FakeSluice() throws Exception {
        server = Benchmarks.await(vertx.createHttpServer(new HttpServerOptions().setMaxWebSocketFrameSize(1 << 24))
                .requestHandler(this::onRequest)
                .webSocketHandler(this::onSocket)
                .listen(0, "127.0.0.1"), Duration.ofSeconds(10));
    }

    String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    int size(String topic) {
        return topics.getOrDefault(topic, List.of()).size();
    }

    @Override
    public void close() throws Exception {
        Benchmarks.close(vertx);
    }

    private void onRequest(HttpServerRequest request) {
        request.body().onSuccess(body -> {
            String[] path = request.path().split("/");
            if (request.path().equals("/topics")) {
                String name = body.toJsonObject().getString("name");
                boolean created = topics.putIfAbsent(name, new ArrayList<>()) == null;
                if (created) {
                    replicationFactors.put(name, body.toJsonObject().getInteger("replicationFactor", 1));
                }
                request.response().setStatusCode(created ? 201 : 409).end();
            } else if (request.path().equals("/q/health/group/storage")) {
                // as the broker: two checks in this group, the one with the backlog not first
                request.response().end(new JsonObject().put("status", "UP").put("checks", new JsonArray()
                        .add(new JsonObject().put("name", "sluice-topic-definitions").put("status", "UP"))
                        .add(new JsonObject().put("name", "sluice-storage").put("status", "UP")
                                .put("data", new JsonObject().put("uploadBacklogBytes", 0)))).toBuffer());
            } else if (path.length == 3) {
                String name = URIDecoder.decodeURIComponent(path[2]);
                describe(request, topics.get(name), replicationFactors.getOrDefault(name, 1));
            } else if (path.length == 4 && path[3].equals("records")) {
                produce(request, URIDecoder.decodeURIComponent(path[2]), body.toJsonObject());
            } else if (path.length == 6 && path[5].equals("records")) {
                fetch(request, topics.get(URIDecoder.decodeURIComponent(path[2])));
            } else {
                request.response().setStatusCode(404).end();
            }
        });
    }

    private void produce(HttpServerRequest request, String topic, JsonObject body) {
        List<String> log = topics.get(topic);
        JsonArray offsets = new JsonArray();
        if (!writable.getAsBoolean()) {
            for (Object ignored : body.getJsonArray("records")) {
                offsets.add(new JsonObject().put("partition", 0).put("error", new JsonObject()
                        .put("code", "NOT_ENOUGH_REPLICAS").put("message", "the ISR is below min.insync.replicas")));
            }
            request.response().setStatusCode(207).end(new JsonObject().put("offsets", offsets).toBuffer());
            return;
        }
        synchronized (log) {
            for (Object record : body.getJsonArray("records")) {
                offsets.add(new JsonObject().put("partition", 0).put("offset", log.size()).put("timestamp", 0));
                log.add(((JsonObject) record).getString("value"));
            }
        }
        request.response().setStatusCode(200).end(new JsonObject().put("offsets", offsets).toBuffer());
    }

    private void describe(HttpServerRequest request, List<String> log, int replicationFactor) {
        long size;
        long bytes = 0;
        synchronized (log) {
            size = log.size();
            for (String value : log) {
                bytes += value.length();
            }
        }
        JsonArray replicas = new JsonArray();
        for (int i = 0; i < replicationFactor; i++) {
            replicas.add(i);
        }
        JsonObject partition = new JsonObject().put("partition", 0).put("leader", leader).put("leaderEpoch", 0)
                .put("replicas", replicas).put("isr", replicas.copy()).put("logStartOffset", 0)
                .put("localLogStartOffset", size).put("highWatermark", size).put("logEndOffset", size)
                .put("segments", 1).put("tieredBytes", bytes);
        request.response().end(new JsonObject().put("partitionStates", new JsonArray().add(partition)).toBuffer());
    }

    /** Up to {@code maxRecords} from {@code offset}; {@code maxBytes} counts value characters, at least one record. */
    private void fetch(HttpServerRequest request, List<String> log) {
        long offset = Long.parseLong(request.getParam("offset"));
        int maxRecords = Integer.parseInt(request.getParam("maxRecords"));
        int maxBytes = Integer.parseInt(request.getParam("maxBytes"));
        JsonArray records = new JsonArray();
        long next = offset;
        synchronized (log) {
            for (int bytes = 0; next < log.size() && records.size() < maxRecords && (bytes < maxBytes || records.isEmpty());
                    next++) {
                String value = log.get((int) next);
                records.add(new JsonObject().put("offset", next).put("value", value));
                bytes += value.length();
            }
        }
        request.response().end(new JsonObject().put("records", records).put("nextOffset", next)
                .put("highWatermark", log.size()).put("logStartOffset", 0).toBuffer());
    }

    private void onSocket(ServerWebSocket socket) {
        Map<String, String> query = new ConcurrentHashMap<>();
        for (String pair : socket.query().split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], URIDecoder.decodeURIComponent(kv[1]));
        }
        Reader reader = new Reader(socket, topics.get(query.get("topic")),
                Long.parseLong(query.get("offset")), Long.parseLong(query.getOrDefault("credits", "500")));
        socket.textMessageHandler(text -> reader.grant(new JsonObject(text).getLong("records")));
        long timer = vertx.setPeriodic(1, ignored -> reader.pump());
        socket.closeHandler(ignored -> vertx.cancelTimer(timer));
    }

    /** One socket's position and credit; runs on the socket's event loop. */
    private static final class Reader {

        private final ServerWebSocket socket;
        private final List<String> log;
        private long next;
        private long credit;

        Reader(ServerWebSocket socket, List<String> log, long offset, long credit) {
            this.socket = socket;
            this.log = log;
            this.next = offset;
            this.credit = credit;
        }

        void grant(long records) {
            credit += records;
            pump();
        }

        void pump() {
            while (credit > 0 && !socket.isClosed()) {
                JsonArray records = new JsonArray();
                synchronized (log) {
                    while (records.size() < Math.min(credit, MAX_RECORDS_PER_MESSAGE) && next < log.size()) {
                        records.add(new JsonObject().put("topic", "t").put("partition", 0).put("offset", next)
                                .put("timestamp", 0).putNull("key").put("value", log.get((int) next))
                                .put("headers", new JsonObject()));
                        next++;
                    }
                }
                if (records.isEmpty()) {
                    return;
                }
                credit -= records.size();
                socket.writeTextMessage(new JsonObject().put("type", "records").put("records", records).encode());
            }
        }
    }
}
