package io.sluice.error;

import java.util.concurrent.CompletionException;

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

    /** The one wording of "offset out of range", wherever a read finds it. */
    public static SluiceException offsetOutOfRange(String partition, long offset, long logStart, long logEnd) {
        return new SluiceException(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " is out of range for "
                + partition + ": log start " + logStart + ", log end " + logEnd);
    }

    /** The failure itself, where a {@code CompletableFuture} stage wrapped it in a CompletionException. */
    public static Throwable causeOf(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    public ErrorCode code() {
        return code;
    }
}
