package io.sluice.api;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.sluice.broker.Broker;
import io.smallrye.common.annotation.NonBlocking;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code /ws/consume}: a reader over WebSocket with credit-based flow control (API.md). At most
 * {@link ConsumeLimits#maxSessions} readers are open at once; one more is told BROKER_BUSY and
 * closed with 1013 (try again later).
 */
@WebSocket(path = "/ws/consume", endpointId = ConsumeSocket.ENDPOINT_ID)
public class ConsumeSocket {
    static final String ENDPOINT_ID = "sluice-consume";
    /** WebSocket close code "try again later" (RFC 6455 registry). */
    static final short TRY_AGAIN_LATER = 1013;
    static final short POLICY_VIOLATION = 1008;

    private final Broker broker;
    private final ConsumeLimits limits;
    private final Map<String, ConsumerSession> sessions = new ConcurrentHashMap<>();

    public ConsumeSocket(Broker broker, ConsumeLimits limits) {
        this.broker = broker;
        this.limits = limits;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        if (!limits.tryOpenSession()) {
            refuse(connection, new SluiceException(ErrorCode.BROKER_BUSY, limits.maxSessions()
                    + " readers are open, the most this broker serves at once; retry later"), TRY_AGAIN_LATER);
            return;
        }
        boolean opened = false;
        try {
            Runnable abort = connection.userData().get(ConsumeUpgradeCheck.ABORT);
            ConsumerSession session = ConsumerSession.open(broker, connection,
                    Query.parse(connection.handshakeRequest().query()), limits,
                    abort != null ? abort : () -> connection.close().subscribe().with(ok -> { }, e -> { }));
            sessions.put(connection.id(), session);
            opened = true;
            session.start();
        } catch (SluiceException e) {
            refuse(connection, e, POLICY_VIOLATION);
        } finally {
            if (!opened) {
                limits.closeSession(); // refused, or failed unexpectedly: the slot is not held
            }
        }
    }

    private static void refuse(WebSocketConnection connection, SluiceException e, short closeCode) {
        connection.sendTextAndAwait(Frames.error(null, e.code().name(), e.getMessage()));
        connection.close(new CloseReason(closeCode, e.code().name())).subscribe().with(ok -> { }, err -> { });
    }

    /**
     * Runs on the connection's event loop: it only hands the message to the session's executor, and
     * a worker-thread dispatch per message would let a client that floods messages queue them faster
     * than they are handed on.
     */
    @OnTextMessage
    @NonBlocking
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
            limits.closeSession();
        }
    }

    /** Open reader sessions, for metrics and for tests that check a closed socket lets go. */
    public int openSessions() {
        return sessions.size();
    }
}
