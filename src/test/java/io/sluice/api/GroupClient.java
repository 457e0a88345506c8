package io.sluice.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A consumer-group member over {@code /ws/consume?group=...} for tests, on the JDK's WebSocket:
 * every frame kept with its arrival time, the partitions owned followed through {@code assigned}
 * and {@code revoked}, and (unless told otherwise) credit granted back for each records frame as it
 * arrives, as a client that processed it would, so that auto-commit has something acknowledged.
 */
final class GroupClient implements WebSocket.Listener, AutoCloseable {
    /**
     * One thread delivers every member's frames, in the order the client's selector read them: on
     * a pool, two sockets' frames could be stamped out of the order they arrived in, and a test of
     * which member heard of a partition first would see a revoke after an assign that came later.
     */
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .executor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "group-client-frames");
                t.setDaemon(true);
                return t;
            }))
            .build();

    /** A frame and when it arrived ({@link System#nanoTime()}). */
    record Frame(long atNanos, JsonNode json) {
        String type() {
            return json.path("type").asText();
        }
    }

    final String name;
    private final List<Frame> frames = new CopyOnWriteArrayList<>();
    private final Set<String> owned = new TreeSet<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final boolean autoCredit;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    /**
     * Set in {@link #onOpen}, which runs before the first frame: the future {@code buildAsync} returns
     * may complete after frames already arrived, and a credit sent through a socket not yet known here
     * was lost (a member whose records were all there at its join acknowledged nothing, so its
     * auto-commit had nothing to commit).
     */
    private volatile WebSocket socket;

    private GroupClient(String name, boolean autoCredit) {
        this.name = name;
        this.autoCredit = autoCredit;
    }

    static GroupClient open(String name, URI uri, boolean autoCredit) {
        GroupClient c = new GroupClient(name, autoCredit);
        CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, c)
                .orTimeout(10, TimeUnit.SECONDS).join();
        return c;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            Frame frame = new Frame(System.nanoTime(), HttpApi.parse(partial.toString()));
            partial.setLength(0);
            synchronized (owned) {
                switch (frame.type()) {
                    case "assigned" -> frame.json().get("partitions").forEach(p -> owned.add(key(p)));
                    case "revoked" -> frame.json().get("partitions").forEach(p -> owned.remove(key(p)));
                    default -> {
                    }
                }
                frames.add(frame);
            }
            if (autoCredit && frame.type().equals("records")) {
                sendAsync("{\"type\":\"credit\",\"records\":" + frame.json().get("records").size() + "}");
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
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

    static String key(JsonNode p) {
        return p.get("topic").asText() + "-" + p.get("partition").asInt();
    }

    /** The JDK socket takes one message at a time: each send waits for the one before. */
    private synchronized CompletableFuture<?> sendAsync(String text) {
        lastSend = lastSend.handle((v, e) -> null).thenCompose(v -> socket.sendText(text, true));
        return lastSend;
    }

    void send(String text) {
        sendAsync(text).orTimeout(5, TimeUnit.SECONDS).join();
    }

    Set<String> owned() {
        synchronized (owned) {
            return new TreeSet<>(owned);
        }
    }

    List<Frame> frames() {
        return List.copyOf(frames);
    }

    List<Frame> frames(String type) {
        List<Frame> of = new ArrayList<>();
        for (Frame f : frames) {
            if (f.type().equals(type)) {
                of.add(f);
            }
        }
        return of;
    }

    /** Every record delivered, in arrival order. */
    List<JsonNode> records() {
        List<JsonNode> all = new ArrayList<>();
        for (Frame f : frames("records")) {
            f.json().get("records").forEach(all::add);
        }
        return all;
    }

    /** Per partition ("topic-p"), the offset after the last record delivered. */
    Map<String, Long> nextOffsets() {
        Map<String, Long> next = new TreeMap<>();
        for (JsonNode r : records()) {
            next.merge(key(r), r.get("offset").asLong() + 1, Math::max);
        }
        return next;
    }

    /** The offset an {@code assigned} frame arriving after {@code afterFrames} frames gave {@code partition}, or null. */
    Long assignedOffset(String partition, int afterFrames) {
        List<Frame> all = frames();
        for (int i = afterFrames; i < all.size(); i++) {
            if (all.get(i).type().equals("assigned")) {
                for (JsonNode p : all.get(i).json().get("partitions")) {
                    if (key(p).equals(partition)) {
                        return p.get("offset").asLong();
                    }
                }
            }
        }
        return null;
    }

    boolean isClosed() {
        return closed.isDone();
    }

    int awaitClose(int seconds) {
        Wait.upTo(seconds).until(closed::isDone);
        return closed.join();
    }

    /** Drops the TCP connection with no close frame, as a crashed client would. */
    void abort() {
        socket.abort();
    }

    /** Leaves cleanly: a close frame after whatever credit is on its way. */
    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            lastSend.handle((v, e) -> null).thenCompose(v -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "leaving"));
        }
        try {
            Wait.upTo(10).until(closed::isDone);
        } catch (RuntimeException e) {
            // a socket that does not answer the close is dropped below
        } finally {
            socket.abort();
        }
    }
}
