package io.sluice.operator.brokers;

/**
 * The broker answered with an error status and (usually) an {@code application/problem+json} body:
 * {@link #code()} is its stable error code ({@code TOPIC_NOT_FOUND}, {@code INVALID_REQUEST},
 * {@code BROKER_NOT_FOUND}, ...) or {@code null} when the body carried none.
 */
public final class BrokerProblemException extends BrokerAdminException {
    private final int status;
    private final String code;
    private final String detail;

    public BrokerProblemException(String call, int status, String code, String detail) {
        super(call, "HTTP " + status + (code == null ? "" : " " + code) + (detail == null ? "" : ": " + detail), null);
        this.status = status;
        this.code = code;
        this.detail = detail;
    }

    public int status() {
        return status;
    }

    /** The problem's stable code, or null. */
    public String code() {
        return code;
    }

    /** The problem's detail for a person, or null. */
    public String detail() {
        return detail;
    }

    /** True when the path itself is unknown to the broker (404 {@code NOT_FOUND}): an older broker without the route. */
    public boolean isUnknownRoute() {
        return status == 404 && (code == null || "NOT_FOUND".equals(code));
    }
}
