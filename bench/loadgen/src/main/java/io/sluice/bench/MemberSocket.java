package io.sluice.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.net.URI;

/**
 * A throughput reader on {@code /ws/consume}, a group member or a partition reader: it opens
 * with no credit (so that every reader of a run can be connected, and a group settled, before a
 * record moves), then {@link #start} grants the initial credit and from there on credit is given
 * back in halves of it, as {@link ConsumeSocket} does. Records go to a {@link GroupFrame.RecordSink}
 * by partition and offset; {@code assigned} and {@code revoked} messages to the listener.
 * Everything runs on the socket's event loop.
 */
final class MemberSocket {

    private static final int MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

    /** Told about membership messages and about an end of the socket that was not ours. */
    interface Listener {

        void onAssigned(JsonArray partitions);

        void onRevoked(JsonArray partitions);

        void onFailure(Throwable failure);
    }

    private final WebSocket socket;
    private final GroupFrame.RecordSink records;
    private final Listener listener;
    private final ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    private int creditBatch = Integer.MAX_VALUE;
    private int uncredited;
    private boolean closing;

    private MemberSocket(WebSocket socket, GroupFrame.RecordSink records, Listener listener) {
        this.socket = socket;
        this.records = records;
        this.listener = listener;
    }

    /** Connects to {@code /ws/consume?query&credits=0}. */
    static Future<MemberSocket> open(Vertx vertx, URI base, String query, GroupFrame.RecordSink records,
                                     Listener listener) {
        WebSocketClientOptions options = new WebSocketClientOptions()
                .setMaxFrameSize(MAX_MESSAGE_BYTES)
                .setMaxMessageSize(MAX_MESSAGE_BYTES);
        WebSocketConnectOptions connect = new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI("/ws/consume?" + query + "&credits=0");
        return vertx.createWebSocketClient(options).connect(connect).map(socket -> {
            MemberSocket reader = new MemberSocket(socket, records, listener);
            socket.frameHandler(reader::onFrame);
            socket.exceptionHandler(listener::onFailure);
            socket.closeHandler(ignored -> reader.onClose());
            return reader;
        });
    }

    /** Grants {@code credits} and from then on gives credit back in halves of it. */
    void start(int credits) {
        creditBatch = Math.max(1, credits / 2);
        socket.writeTextMessage("{\"type\":\"credit\",\"records\":" + credits + "}");
    }

    void close() {
        closing = true;
        socket.close();
    }

    private void onFrame(WebSocketFrame frame) {
        if (!frame.isText() && !frame.isContinuation()) {
            return;
        }
        Buffer payload = frame.binaryData();
        if (frame.isFinal() && fragments.size() == 0) {
            onMessage(payload.getBytes());
            return;
        }
        fragments.writeBytes(payload.getBytes());
        if (frame.isFinal()) {
            byte[] message = fragments.toByteArray();
            fragments.reset();
            onMessage(message);
        }
    }

    private void onMessage(byte[] json) {
        GroupFrame.Parsed message;
        try {
            message = GroupFrame.parse(json, records);
        } catch (Exception e) {
            listener.onFailure(e);
            return;
        }
        if (message.isRecords()) {
            uncredited += message.records();
            if (uncredited >= creditBatch) {
                socket.writeTextMessage("{\"type\":\"credit\",\"records\":" + uncredited + "}");
                uncredited = 0;
            }
            return;
        }
        JsonObject other = message.other();
        switch (String.valueOf(message.type())) {
            case "assigned" -> listener.onAssigned(other.getJsonArray("partitions"));
            case "revoked" -> listener.onRevoked(other.getJsonArray("partitions"));
            case "error" -> listener.onFailure(new IllegalStateException("broker sent error " + other.encode()));
            default -> {
            }
        }
    }

    private void onClose() {
        if (!closing) {
            listener.onFailure(new IllegalStateException(
                    "socket closed by the broker: " + socket.closeStatusCode() + " " + socket.closeReason()));
        }
    }
}
