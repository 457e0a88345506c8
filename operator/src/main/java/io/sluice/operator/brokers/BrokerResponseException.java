package io.sluice.operator.brokers;

/** The broker answered 2xx, but with a body this client cannot read as the documented shape. */
public final class BrokerResponseException extends BrokerAdminException {
    public BrokerResponseException(String call, String message, Throwable cause) {
        super(call, message, cause);
    }
}
