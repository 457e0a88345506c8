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
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /ws/produce?topic=T&acks=all&format=json}: each text frame is one record object (as in
 * the REST body, with an optional {@code id}); each gets an ack or an error frame. Acks of one
 * partition are sent in offset order, because a partition's appends complete in order on its
 * writer and are sent from there.
 */
@WebSocket(path = "/ws/produce")
public class ProduceSocket {
    private final Broker broker;
    private final Map<String, Settings> open = new ConcurrentHashMap<>();

    public ProduceSocket(Broker broker) {
        this.broker = broker;
    }

    private record Settings(String topic, Acks acks, ProduceRequestParser parser, String partitioner) {
    }

    private Settings settings(WebSocketConnection connection) {
        Query q = Query.parse(connection.handshakeRequest().query());
        String topic = q.first("topic");
        if (topic == null) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "the 'topic' query parameter is required");
        }
        broker.topic(topic);
        return new Settings(topic, Acks.parse(q.first("acks")),
                new ProduceRequestParser(Format.parse(q.first("format"), Format.JSON, "format"),
                        Format.parse(q.first("keyFormat"), Format.STRING, "keyFormat")),
                q.first("partitioner"));
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        try {
            open.put(connection.id(), settings(connection));
        } catch (SluiceException e) {
            connection.sendTextAndAwait(Frames.error(null, e.code().name(), e.getMessage()));
            connection.close(new CloseReason(1008, e.code().name())).subscribe().with(ok -> { }, err -> { });
        }
    }

    @OnTextMessage
    public void onMessage(WebSocketConnection connection, String message) {
        Settings s = open.get(connection.id());
        if (s == null) {
            return;
        }
        ProduceRequestParser.ParsedRecord parsed;
        try {
            parsed = s.parser().parseSingle(message);
        } catch (SluiceException e) {
            // The record did not parse, but its id may have: the client needs it to match the error.
            connection.sendTextAndAwait(Frames.error(ProduceRequestParser.idOf(message), e.code().name(),
                    e.getMessage()));
            return;
        }
        try {
            broker.produce(s.topic(), List.of(parsed.record()), s.acks(), s.partitioner())
                    .whenComplete((results, error) -> connection.sendText(reply(parsed.id(), results, error))
                            .subscribe().with(ok -> { }, err -> { }));
        } catch (SluiceException e) {
            connection.sendTextAndAwait(Frames.error(parsed.id(), e.code().name(), e.getMessage()));
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        open.remove(connection.id());
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
