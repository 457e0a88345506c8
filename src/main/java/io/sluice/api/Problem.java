package io.sluice.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.error.ErrorCode;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem document with Sluice's stable {@code code}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "An RFC 9457 problem document (application/problem+json) with a stable code")
public record Problem(
        @Schema(description = "A URI naming the kind of problem", example = "https://sluice.io/problems/topic-not-found")
        String type,
        @Schema(description = "The code in words", example = "Topic not found")
        String title,
        @Schema(description = "The HTTP status", example = "404")
        int status,
        @Schema(description = "What went wrong with this request, for a person")
        String detail,
        @Schema(description = "The stable error code, for a program", implementation = ErrorCode.class)
        String code) {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a 429 or 503 tells the client to wait before it retries (HTTP Retry-After, RFC 9110 10.2.3). */
    static final int RETRY_AFTER_SECONDS = 1;

    static Problem of(ErrorCode code, String detail) {
        return at(status(code), code, detail);
    }

    /** A problem whose status is the framework's (405, 408, 414, 431...) rather than the code's own. */
    static Problem at(int status, ErrorCode code, String detail) {
        // A server error's detail comes from storage, and may name files; a client's never does.
        return new Problem("https://sluice.io/problems/" + code.name().toLowerCase().replace('_', '-'),
                title(code), status, status >= 500 ? ServerPaths.redact(detail) : detail, code.name());
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

    /** The document as bytes, for replies written below the REST layer. */
    byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one place where an error code becomes an HTTP status. */
    static int status(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST, INVALID_TOPIC, INVALID_CONFIG, INVALID_PARTITIONS, INVALID_OFFSET,
                    UNKNOWN_PARTITIONER, UNSUPPORTED, INVALID_GROUP_ID, UNKNOWN_MEMBER_ID -> 400;
            case UNAUTHORIZED -> 401;
            case TOPIC_NOT_FOUND, PARTITION_NOT_FOUND, NOT_FOUND, GROUP_NOT_FOUND, BROKER_NOT_FOUND -> 404;
            case TOPIC_ALREADY_EXISTS, GROUP_NOT_EMPTY, INCONSISTENT_GROUP_PROTOCOL, STALE_MEMBER_EPOCH -> 409;
            case UNSUPPORTED_MEDIA_TYPE -> 415;
            case RECORD_TOO_LARGE, REQUEST_TOO_LARGE -> 413;
            case THROTTLED, GROUP_MAX_SIZE_REACHED -> 429;
            case OFFSET_OUT_OF_RANGE -> 416;
            case NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND, LEADER_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER,
                    FENCED_LEADER_EPOCH, TIER_UNAVAILABLE, BROKER_BUSY, NOT_COORDINATOR,
                    COORDINATOR_NOT_AVAILABLE -> 503;
            case STORAGE_ERROR, CORRUPT_RECORD -> 500;
        };
    }

    private static String title(ErrorCode code) {
        String words = code.name().toLowerCase().replace('_', ' ');
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }
}
