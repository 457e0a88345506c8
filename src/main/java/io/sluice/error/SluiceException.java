package io.sluice.error;

/**
 * An error that crosses the public API: it carries a stable {@link ErrorCode} and a message
 * written for the user who sent the request. Mapped once, in the api layer, to problem+json.
 */
public class SluiceException extends RuntimeException {
    private final ErrorCode code;

    public SluiceException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public SluiceException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
