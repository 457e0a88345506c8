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
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
 * A connection may have a bounded number of records (and bytes) sent and not yet answered; a
 * record past the cap is answered {@code THROTTLED} and not written, and a client that keeps
 * sending without reading its answers is disconnected (1008) once twice the cap is unanswered, so
 * its acks never pile up without bound. A text frame that is not valid UTF-8 closes the
 * connection with 1007 (RFC 6455, 8.1) and writes nothing.
 */
@WebSocket(path = "/ws/produce")
public class ProduceSocket {
    /** RFC 6455 7.4.1: the message's data is not consistent with its type (invalid UTF-8 in a text frame). */
    static final short INVALID_FRAME_PAYLOAD = 1007;
    static final short POLICY_VIOLATION = 1008;

    private final Broker broker;
    private final long maxOutstandingRecords;
    private final long maxOutstandingBytes;
    private final Map<String, Session> open = new ConcurrentHashMap<>();

    public ProduceSocket(Broker broker, SluiceConfig config) {
        this.broker = broker;
        this.maxOutstandingRecords = config.limits().wsProduceOutstandingRecords();
        this.maxOutstandingBytes = config.limits().wsProduceOutstandingBytes();
    }

    /** One connection: its settings, the context its frames are sent from, and what is unanswered. */
    private record Session(String topic, Acks acks, ProduceRequestParser parser, String partitioner,
            Context context, AtomicLong outstandingRecords, AtomicLong outstandingBytes) {
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
                q.first("partitioner"), Vertx.currentContext(), new AtomicLong(), new AtomicLong());
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

    @OnTextMessage
    public void onMessage(WebSocketConnection connection, Buffer message) {
        Session s = open.get(connection.id());
        if (s == null) {
            return;
        }
        String text = strictUtf8(message);
        if (text == null) {
            open.remove(connection.id());
            connection.sendTextAndAwait(Frames.error(null, ErrorCode.INVALID_REQUEST.name(),
                    "a text message must be valid UTF-8; nothing of it was written"));
            close(connection, INVALID_FRAME_PAYLOAD, "invalid UTF-8");
            return;
        }
        long bytes = message.length();
        long records = s.outstandingRecords().incrementAndGet();
        long held = s.outstandingBytes().addAndGet(bytes);
        if (records > 2 * maxOutstandingRecords || held > 2 * maxOutstandingBytes) {
            open.remove(connection.id());
            close(connection, POLICY_VIOLATION, "too many unanswered records: read the acks");
            return;
        }
        if (records > maxOutstandingRecords || held > maxOutstandingBytes) {
            send(connection, s, bytes, Frames.error(ProduceRequestParser.idOf(text), ErrorCode.THROTTLED.name(),
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
            send(connection, s, bytes, Frames.error(ProduceRequestParser.idOf(text), e.code().name(), e.getMessage()));
            return;
        }
        try {
            broker.produce(s.topic(), List.of(parsed.record()), s.acks(), s.partitioner())
                    .whenComplete((results, error) -> s.context().runOnContext(v ->
                            send(connection, s, bytes, reply(parsed.id(), results, error))));
        } catch (SluiceException e) {
            send(connection, s, bytes, Frames.error(parsed.id(), e.code().name(), e.getMessage()));
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        open.remove(connection.id());
    }

    /** Sends one record's answer; the record stops counting as unanswered once the frame is written. */
    private static void send(WebSocketConnection connection, Session s, long bytes, String frame) {
        connection.sendText(frame).subscribe().with(ok -> answered(s, bytes), err -> answered(s, bytes));
    }

    private static void answered(Session s, long bytes) {
        s.outstandingRecords().decrementAndGet();
        s.outstandingBytes().addAndGet(-bytes);
    }

    private static void close(WebSocketConnection connection, short code, String reason) {
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, err -> { });
    }

    /** The text of a frame, or null when it is not valid UTF-8 (a lenient decode would store U+FFFD). */
    private static String strictUtf8(Buffer message) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message.getBytes())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
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
