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
    /** RFC 6455 7.4.1: no status code present (also what a dropped connection reports here). */
    static final int NO_STATUS = 1005;
    /** RFC 6455 7.4.1: closed without a close frame. */
    static final int ABNORMAL_CLOSURE = 1006;

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

    /**
     * A close frame from the client carries a status code; a connection that dropped without one
     * has none (Vert.x leaves its close status unset, reported as 1005 "no status", or 1006
     * "abnormal closure"). Only the first is a goodbye: a group member leaves its group at once on
     * it, and otherwise stays until its session times out.
     */
    @OnClose
    public void onClose(WebSocketConnection connection, CloseReason reason) {
        ConsumerSession session = sessions.remove(connection.id());
        if (session != null) {
            session.close(closedCleanly(reason));
            limits.closeSession();
        }
    }

    static boolean closedCleanly(CloseReason reason) {
        return reason != null && reason.getCode() != NO_STATUS && reason.getCode() != ABNORMAL_CLOSURE;
    }

    /** Open reader sessions, for metrics and for tests that check a closed socket lets go. */
    public int openSessions() {
        return sessions.size();
    }
}
