package io.sluice.operator.topic;

/**
 * A topic operation the cluster refused or could not be asked: {@code status} is the HTTP status
 * (0 when no broker answered), {@code code} the problem's error code when it sent one.
 */
public class TopicAdminException extends RuntimeException {
    private final int status;
    private final String code;

    public TopicAdminException(int status, String code, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** No broker answered (connection refused, timeout): the cluster may not be up yet. */
    public boolean unreachable() {
        return status == 0;
    }
}
