package io.sluice.api;


import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A WebSocket test client on the JDK's {@link WebSocket}: it keeps every text frame the server
 * sends, as JSON, in arrival order, counts delivered records and, when given a limit, notes at
 * arrival time any frame that takes the count past it (the credit invariant of /ws/consume).
 */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong recordCount = new AtomicLong();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private volatile LongSupplier recordLimit = () -> Long.MAX_VALUE;
    private WebSocket socket;

    private WsClient() {
    }

    static WsClient open(URI uri) {
        return open(uri, () -> Long.MAX_VALUE);
    }

    /** Opens a client for which a records frame that takes the total past {@code recordLimit} is a violation. */
    static WsClient open(URI uri, LongSupplier recordLimit) {
        WsClient client = new WsClient();
        client.recordLimit = recordLimit;
        client.socket = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, client)
                .orTimeout(10, TimeUnit.SECONDS).join();
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            JsonNode frame = HttpApi.parse(partial.toString());
            partial.setLength(0);
            if ("records".equals(frame.path("type").asText())) {
                long total = recordCount.addAndGet(frame.get("records").size());
                long limit = recordLimit.getAsLong();
                if (total > limit) {
                    violations.add("received " + total + " records with a credit of " + limit);
                }
            }
            frames.add(frame);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        violations.add("unexpected binary frame");
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    void send(String text) {
        socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
    }

    List<JsonNode> frames() {
        return List.copyOf(frames);
    }

    List<JsonNode> frames(String type) {
        List<JsonNode> of = new ArrayList<>();
        for (JsonNode f : frames) {
            if (type.equals(f.path("type").asText())) {
                of.add(f);
            }
        }
        return of;
    }

    /** Every record of every records frame, in arrival order. */
    List<JsonNode> records() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode f : frames("records")) {
            f.get("records").forEach(all::add);
        }
        return all;
    }

    long recordCount() {
        return recordCount.get();
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** The close code the server sent, waiting for it at most {@code seconds}. */
    int awaitClose(int seconds) {
        Wait.upTo(seconds).until(closed::isDone);
        return closed.join();
    }

    /** Waits for the next frame of {@code type} after the first {@code seen} frames of that type. */
    JsonNode awaitFrame(String type, int seen) {
        Wait.upTo(10).until(() -> frames(type).size() > seen);
        return frames(type).get(seen);
    }

    /** Drops the connection without a close handshake, as a crashed client would. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        try {
            Wait.upTo(5).until(closed::isDone);
        } finally {
            socket.abort();
        }
    }
}
