package io.sluice.api;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.RecordResult;
import io.sluice.config.SluiceConfig;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code /ws/produce?topic=T&acks=all&format=json}: each text frame is one record object (as in
 * the REST body, with an optional {@code id}); each gets an ack or an error frame. Acks of one
 * partition are sent in offset order: a partition's appends complete in order on its writer,
 * which hands each reply to the connection's Vert.x context, whose tasks run in order, and goes
 * straight back to writing.
 * <p>
 * A connection may have a bounded number of records (and bytes) handed to the broker and not yet
 * answered; a record past the cap is answered {@code THROTTLED} and not written. A client that
 * keeps sending without reading its answers is disconnected (1008) once
 * {@link #MAX_UNSENT_ERROR_FRAMES} refusals wait to be written, so nothing it causes piles up
 * without bound. A text frame that is not valid UTF-8 closes the
 * connection with 1007 (RFC 6455, 8.1) and writes nothing.
 */
@WebSocket(path = "/ws/produce")
public class ProduceSocket {
    /** RFC 6455 7.4.1: the message's data is not consistent with its type (invalid UTF-8 in a text frame). */
    static final short INVALID_FRAME_PAYLOAD = 1007;
    static final short POLICY_VIOLATION = 1008;
    private static final char REPLACEMENT_CHARACTER = '\uFFFD';
    /**
     * Error frames (refusals, parse errors) written to a connection and not yet on the wire: only
     * a client that does not read lets them pile up, and it is disconnected past this many.
     */
    static final int MAX_UNSENT_ERROR_FRAMES = 1024;

    private final Broker broker;
    private final long maxOutstandingRecords;
    private final long maxOutstandingBytes;
    private final Map<String, Session> open = new ConcurrentHashMap<>();

    public ProduceSocket(Broker broker, SluiceConfig config) {
        this.broker = broker;
        this.maxOutstandingRecords = config.limits().wsProduceOutstandingRecords();
        this.maxOutstandingBytes = config.limits().wsProduceOutstandingBytes();
    }

    /**
     * One connection: its settings, the context its frames are sent from, the records (and their
     * bytes) handed to the broker whose answer is not yet written, and the error frames not yet written.
     */
    private record Session(String topic, Acks acks, ProduceRequestParser parser, String partitioner,
            Context context, AtomicLong outstandingRecords, AtomicLong outstandingBytes, AtomicLong unsentErrors) {
    }

    private Session session(WebSocketConnection connection) {
        Query q = Query.parse(connection.handshakeRequest().query());
        String topic = q.first("topic");
        if (topic == null) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "the 'topic' query parameter is required");
        }
        broker.topic(topic);
        return new Session(topic, Acks.parse(q.first("acks")),
                new ProduceRequestParser(Format.parse(q.first("format"), Format.JSON, "format"),
                        Format.parse(q.first("keyFormat"), Format.STRING, "keyFormat"), 1),
                q.first("partitioner"), Vertx.currentContext(), new AtomicLong(), new AtomicLong(), new AtomicLong());
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        try {
            open.put(connection.id(), session(connection));
        } catch (SluiceException e) {
            connection.sendTextAndAwait(Frames.error(null, e.code().name(), e.getMessage()));
            close(connection, POLICY_VIOLATION, e.code().name());
        }
    }

    /**
     * Runs on the connection's event loop, frame by frame as they are read: a frame is handed to
     * the broker or refused before the next is read, so frames never queue up inside the server
     * (on a worker pool they would, without bound, from a client that sends faster than they go).
     */
    @OnTextMessage
    @NonBlocking
    public void onMessage(WebSocketConnection connection, Buffer message) {
        Session s = open.get(connection.id());
        if (s == null) {
            return;
        }
        String text = strictUtf8(message);
        if (text == null) {
            open.remove(connection.id());
            connection.sendText(Frames.error(null, ErrorCode.INVALID_REQUEST.name(),
                    "a text message must be valid UTF-8; nothing of it was written")).subscribe()
                    .with(ok -> close(connection, INVALID_FRAME_PAYLOAD, "invalid UTF-8"),
                            err -> close(connection, INVALID_FRAME_PAYLOAD, "invalid UTF-8"));
            return;
        }
        if (s.unsentErrors().get() > MAX_UNSENT_ERROR_FRAMES) {
            open.remove(connection.id());
            close(connection, POLICY_VIOLATION, "too many unread answers: read them before sending more");
            return;
        }
        long bytes = message.length();
        long records = s.outstandingRecords().incrementAndGet();
        long held = s.outstandingBytes().addAndGet(bytes);
        if (records > maxOutstandingRecords || held > maxOutstandingBytes) {
            answered(s, bytes);
            sendError(connection, s, Frames.error(ProduceRequestParser.idOf(text), ErrorCode.THROTTLED.name(),
                    "this connection has " + (records - 1) + " records (" + (held - bytes) + " bytes) unanswered,"
                            + " the most it may have is " + maxOutstandingRecords + " (" + maxOutstandingBytes
                            + " bytes); this record was not written: read the acks, then send it again"));
            return;
        }
        ProduceRequestParser.ParsedRecord parsed;
        try {
            parsed = s.parser().parseSingle(text);
        } catch (SluiceException e) {
            // The record did not parse, but its id may have: the client needs it to match the error.
            answered(s, bytes);
            sendError(connection, s, Frames.error(ProduceRequestParser.idOf(text), e.code().name(), e.getMessage()));
            return;
        }
        try {
            broker.produce(s.topic(), List.of(parsed.record()), s.acks(), s.partitioner())
                    .whenComplete((results, error) -> s.context().runOnContext(v ->
                            sendAnswer(connection, s, bytes, reply(parsed.id(), results, error))));
        } catch (SluiceException e) {
            answered(s, bytes);
            sendError(connection, s, Frames.error(parsed.id(), e.code().name(), e.getMessage()));
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        open.remove(connection.id());
    }

    /** Sends the broker's answer to a record, which stops counting as unanswered once the frame is written. */
    private static void sendAnswer(WebSocketConnection connection, Session s, long bytes, String frame) {
        connection.sendText(frame).subscribe().with(ok -> answered(s, bytes), err -> answered(s, bytes));
    }

    /** Sends an error frame for a record the broker never saw. */
    private static void sendError(WebSocketConnection connection, Session s, String frame) {
        s.unsentErrors().incrementAndGet();
        connection.sendText(frame).subscribe().with(ok -> s.unsentErrors().decrementAndGet(),
                err -> s.unsentErrors().decrementAndGet());
    }

    private static void answered(Session s, long bytes) {
        s.outstandingRecords().decrementAndGet();
        s.outstandingBytes().addAndGet(-bytes);
    }

    private static void close(WebSocketConnection connection, short code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, err -> { });
    }

    /**
     * The text of a frame, or null when it was not valid UTF-8. The WebSocket layer decodes text
     * frames leniently, each invalid sequence becoming U+FFFD, and does not hand on the raw bytes;
     * so a frame that holds U+FFFD is taken as invalid. A client that means U+FFFD writes it as the
     * JSON escape backslash-u-FFFD, which is plain ASCII in the frame (docs/decisions/0003).
     */
    private static String strictUtf8(Buffer message) {
        String text = message.toString(StandardCharsets.UTF_8);
        return text.indexOf(REPLACEMENT_CHARACTER) >= 0 ? null : text;
    }

    private static String reply(String id, List<RecordResult> results, Throwable error) {
        if (error != null) {
            Throwable cause = SluiceException.causeOf(error);
            String code = cause instanceof SluiceException se ? se.code().name() : ErrorCode.STORAGE_ERROR.name();
            return Frames.error(id, code, String.valueOf(cause.getMessage()));
        }
        RecordResult r = results.get(0);
        if (r.isError()) {
            return Frames.error(id, r.error().name(), r.message());
        }
        return Frames.object("ack", g -> {
            if (id != null) {
                g.writeStringField("id", id);
            }
            g.writeNumberField("partition", r.partition());
            g.writeNumberField("offset", r.offset());
            g.writeNumberField("timestamp", r.timestamp());
        });
    }
}
