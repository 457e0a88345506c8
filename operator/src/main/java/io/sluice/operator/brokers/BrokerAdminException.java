package io.sluice.operator.brokers;

/**
 * A call to the brokers' REST API that did not give the answer asked for. The subclasses say why:
 * {@link BrokerUnreachableException} (no answer: connection refused, timeout), {@link BrokerProblemException}
 * (the broker refused, with its stable error code), {@link BrokerResponseException} (an answer this client
 * cannot read). Unchecked, as the reconciler treats them all as "try again on the next pass" unless it
 * looks at the code.
 */
public abstract class BrokerAdminException extends RuntimeException {
    private final String call;

    protected BrokerAdminException(String call, String message, Throwable cause) {
        super(call + ": " + message, cause);
        this.call = call;
    }

    /** The call that failed, as {@code METHOD /path}. */
    public String call() {
        return call;
    }
}
