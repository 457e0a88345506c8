package io.sluice.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A {@code /ws/consume} reader over the JDK's {@link WebSocket}, for process-level tests: it keeps
 * every frame the broker sends, as JSON, in arrival order, and grants credit on request.
 */
final class WsReader implements WebSocket.Listener, AutoCloseable {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    private WsReader() {
    }

    /** Opens {@code ws://host:port/ws/consume?query} of {@code broker}. */
    static WsReader open(BrokerProcess broker, String query) {
        WsReader reader = new WsReader();
        URI uri = URI.create("ws://" + broker.host() + ":" + broker.port() + "/ws/consume?" + query);
        reader.socket = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(uri, reader)
                .orTimeout(10, TimeUnit.SECONDS).join();
        return reader;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(BrokerClient.JSON.readTree(partial.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException("a frame that is not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
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

    void credit(int records) {
        socket.sendText("{\"type\":\"credit\",\"records\":" + records + "}", true).orTimeout(5, TimeUnit.SECONDS)
                .join();
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

    /** Every record of every {@code records} frame, in arrival order. */
    List<JsonNode> records() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode f : frames("records")) {
            f.get("records").forEach(all::add);
        }
        return all;
    }

    /** Waits (bounded) until at least {@code n} records have arrived; fails on an error frame or a close. */
    List<JsonNode> awaitRecords(int n) {
        try {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .failFast("the broker closed the socket or sent an error frame",
                            () -> closed.isDone() || !frames("error").isEmpty())
                    .until(() -> records().size() >= n);
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError("awaiting " + n + " records over /ws/consume, got " + records().size()
                    + "; error frames " + frames("error") + "; closed " + closed, e);
        }
        return records();
    }

    @Override
    public void close() {
        if (!closed.isDone() && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
        socket.abort();
    }
}
