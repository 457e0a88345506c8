package io.sluice.api;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Broker;
import io.sluice.error.SluiceException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code /ws/consume}: a reader over WebSocket with credit-based flow control (API.md). */
@WebSocket(path = "/ws/consume")
public class ConsumeSocket {
    private final Broker broker;
    private final Map<String, ConsumerSession> sessions = new ConcurrentHashMap<>();

    public ConsumeSocket(Broker broker) {
        this.broker = broker;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        ConsumerSession session;
        try {
            session = ConsumerSession.open(broker, connection, Query.parse(connection.handshakeRequest().query()));
        } catch (SluiceException e) {
            connection.sendTextAndAwait(Frames.error(null, e.code().name(), e.getMessage()));
            connection.close(new CloseReason(1008, e.code().name())).subscribe().with(ok -> { }, err -> { });
            return;
        }
        sessions.put(connection.id(), session);
        session.start();
    }

    @OnTextMessage
    public void onMessage(WebSocketConnection connection, String message) {
        ConsumerSession session = sessions.get(connection.id());
        if (session != null) {
            session.onMessage(message);
        }
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        ConsumerSession session = sessions.remove(connection.id());
        if (session != null) {
            session.close();
        }
    }

    /** Open reader sessions, for metrics and for tests that check a closed socket lets go. */
    public int openSessions() {
        return sessions.size();
    }
}
