package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;

/**
 * One reader on {@code GET /ws/consume}: reassembles text messages from frames, parses them with
 * {@link ConsumeMessage}, and grants credit back in halves of the initial credit, so the server
 * always has the other half to send while the reader works. Everything runs on the socket's
 * event loop.
 */
final class ConsumeSocket {

    /** Large enough for any records message a broker sends at a credit of tens of thousands. */
    private static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

    /** Told about records as they arrive, and about the end of the socket if it was not ours. */
    interface Listener {

        void onRecords(int count, long lastOffset);

        void onFailure(Throwable failure);
    }

    /** For latency probes: each record's stamp with the time its message was complete. */
    interface Arrivals {

        void accept(long stampNanos, long arrivalNanos);
    }

    private final WebSocket socket;
    private final int creditBatch;
    private final Arrivals arrivals;
    private final Listener listener;
    private final ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    private int uncredited;
    private boolean closing;

    private ConsumeSocket(WebSocket socket, int credits, Arrivals arrivals, Listener listener) {
        this.socket = socket;
        this.creditBatch = Math.max(1, credits / 2);
        this.arrivals = arrivals;
        this.listener = listener;
    }

    /**
     * Connects to {@code /ws/consume?query&credits=N}; {@code arrivals} may be null when the values
     * are not latency probes.
     */
    static Future<ConsumeSocket> open(Vertx vertx, URI base, String query, int credits,
                                      Arrivals arrivals, Listener listener) {
        WebSocketClientOptions options = new WebSocketClientOptions()
                .setMaxFrameSize(MAX_MESSAGE_BYTES)
                .setMaxMessageSize(MAX_MESSAGE_BYTES);
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI("/ws/consume?" + query + "&credits=" + credits);
        return vertx.createWebSocketClient(options).connect(connect).map(socket -> {
            ConsumeSocket reader = new ConsumeSocket(socket, credits, arrivals, listener);
            socket.frameHandler(reader::onFrame);
            socket.exceptionHandler(listener::onFailure);
            socket.closeHandler(ignored -> reader.onClose());
            return reader;
        });
    }

    void close() {
        closing = true;
        socket.close();
    }

    private void onFrame(WebSocketFrame frame) {
        if (!frame.isText() && !frame.isContinuation()) {
            return;
        }
        long arrivalNanos = System.nanoTime();
        Buffer payload = frame.binaryData();
        if (frame.isFinal() && fragments.size() == 0) {
            onMessage(payload.getBytes(), arrivalNanos);
            return;
        }
        fragments.writeBytes(payload.getBytes());
        if (frame.isFinal()) {
            byte[] message = fragments.toByteArray();
            fragments.reset();
            onMessage(message, arrivalNanos);
        }
    }

    private void onMessage(byte[] json, long arrivalNanos) {
        ConsumeMessage.Parsed message;
        try {
            ConsumeMessage.StampSink stamps = arrivals == null ? null : stamp -> arrivals.accept(stamp, arrivalNanos);
            message = ConsumeMessage.parse(json, json.length, stamps);
        } catch (Exception e) {
            listener.onFailure(e);
            return;
        }
        if (message.isError()) {
            listener.onFailure(new IllegalStateException("broker sent error " + message.error()));
        } else if (message.isRecords()) {
            grantCredit(message.records());
            listener.onRecords(message.records(), message.lastOffset());
        }
    }

    private void grantCredit(int consumed) {
        uncredited += consumed;
        if (uncredited >= creditBatch) {
            socket.writeTextMessage("{\"type\":\"credit\",\"records\":" + uncredited + "}");
            uncredited = 0;
        }
    }

    private void onClose() {
        if (!closing) {
            listener.onFailure(new IllegalStateException(
                    "socket closed by the broker: " + socket.closeStatusCode() + " " + socket.closeReason()));
        }
    }
}
