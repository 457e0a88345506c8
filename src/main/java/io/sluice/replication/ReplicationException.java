package io.sluice.replication;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.replication.Messages.Error;

/**
 * A request to another broker that did not get its reply: the peer answered with an ERROR frame
 * (its code and message), or the connection failed, or the reply did not come in time. When
 * {@link #outcomeUnknown()} the request may have been carried out on the peer (a forwarded produce
 * must then not be retried as if nothing was written).
 */
public final class ReplicationException extends SluiceException {
    private final boolean outcomeUnknown;

    private ReplicationException(ErrorCode code, String message, boolean outcomeUnknown, Throwable cause) {
        super(code, message, cause);
        this.outcomeUnknown = outcomeUnknown;
    }

    /** The peer refused the request as a whole; its code is kept when this broker knows it. */
    static ReplicationException remote(String peer, Error error) {
        return new ReplicationException(ErrorCode.fromPeer(error.code()), peer + " refused the request: " + error.code() + ": "
                + error.message(), false, null);
    }

    /** The request never left: the peer could not be reached. */
    static ReplicationException unreachable(String peer, Throwable cause) {
        return new ReplicationException(ErrorCode.LEADER_NOT_AVAILABLE, "cannot connect to " + peer + ": " + cause,
                false, cause);
    }

    static ReplicationException connectionLost(String peer) {
        return new ReplicationException(ErrorCode.LEADER_NOT_AVAILABLE, "the connection to " + peer
                + " closed before the reply came", true, null);
    }

    /** @param sent whether the request left before the time ran out (else it waited for a connection) */
    static ReplicationException timedOut(String peer, FrameType type, long timeoutMs, boolean sent) {
        return new ReplicationException(ErrorCode.LEADER_NOT_AVAILABLE, "no reply from " + peer + " to a " + type
                + " within " + timeoutMs + " ms" + (sent ? "" : " (no connection)"), sent, null);
    }

    static ReplicationException protocol(String peer, String problem) {
        return new ReplicationException(ErrorCode.LEADER_NOT_AVAILABLE, peer + " broke the protocol: " + problem
                + "; the connection is closed", true, null);
    }

    /** The request never left: too many were awaiting their replies from this peer already. */
    static ReplicationException busy(String peer, int pending) {
        return new ReplicationException(ErrorCode.BROKER_BUSY, pending + " requests to " + peer
                + " await their replies already", false, null);
    }

    static ReplicationException closed(String peer) {
        return new ReplicationException(ErrorCode.LEADER_NOT_AVAILABLE, "the client for " + peer + " is closed",
                false, null);
    }

    public boolean outcomeUnknown() {
        return outcomeUnknown;
    }
}
