package io.sluice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sluice.error.ErrorCode;
import jakarta.ws.rs.core.Response;

/** An RFC 9457 problem document with Sluice's stable {@code code}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";
    /** What a 429 or 503 tells the client to wait before it retries (HTTP Retry-After, RFC 9110 10.2.3). */
    static final int RETRY_AFTER_SECONDS = 1;

    static Problem of(ErrorCode code, String detail) {
        int status = status(code);
        return new Problem("https://sluice.io/problems/" + code.name().toLowerCase().replace('_', '-'),
                title(code), status, detail, code.name());
    }

    Response toResponse() {
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(this);
        if (asksToRetry(status)) {
            response.header("Retry-After", RETRY_AFTER_SECONDS);
        }
        return response.build();
    }

    /** A refusal that a later retry can pass: throttled (429) or busy or unavailable (503). */
    static boolean asksToRetry(int status) {
        return status == 429 || status == 503;
    }

    /** The one place where an error code becomes an HTTP status. */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST, INVALID_TOPIC, INVALID_CONFIG, INVALID_PARTITIONS, INVALID_OFFSET,
                    UNKNOWN_PARTITIONER, UNSUPPORTED -> 400;
            case UNAUTHORIZED -> 401;
            case TOPIC_NOT_FOUND, PARTITION_NOT_FOUND -> 404;
            case TOPIC_ALREADY_EXISTS -> 409;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case RECORD_TOO_LARGE, REQUEST_TOO_LARGE -> 413;
            case THROTTLED -> 429;
            case OFFSET_OUT_OF_RANGE -> 416;
            case NOT_ENOUGH_REPLICAS, LEADER_NOT_AVAILABLE, TIER_UNAVAILABLE, BROKER_BUSY -> 503;
            case STORAGE_ERROR, CORRUPT_RECORD -> 500;
        };
    }

    private static String title(ErrorCode code) {
        String words = code.name().toLowerCase().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
