package io.sluice.operator.brokers;

/**
 * No answer from the broker: the connection failed, or no reply came within the call's timeout. The
 * request may or may not have reached the broker; every call this client makes is safe to repeat.
 */
public final class BrokerUnreachableException extends BrokerAdminException {
    private final boolean timedOut;

    public BrokerUnreachableException(String call, String message, boolean timedOut, Throwable cause) {
        super(call, message, cause);
        this.timedOut = timedOut;
    }

    /** True when the broker took longer than the call's timeout (it may still be working on it). */
    public boolean timedOut() {
        return timedOut;
    }
}
