package io.sluice.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps every error that leaves a REST resource to problem+json, once: typed Sluice errors by
 * their code, JSON syntax errors and framework errors (unknown path, wrong method or media type)
 * by their status, anything else as a server error.
 */
public class ProblemMappers {
    private static final System.Logger LOG = System.getLogger(ProblemMappers.class.getName());

    @ServerExceptionMapper
    public Response sluice(SluiceException e) {
        Problem problem = Problem.of(e.code(), e.getMessage());
        if (Problem.asksToRetry(problem.status())) {
            // Back-pressure (a full budget, a tier not reachable yet) is expected under load: a client
            // retrying in a loop would fill the log with stack traces.
            LOG.log(System.Logger.Level.DEBUG, "request refused, to be retried: " + e.getMessage());
        } else if (problem.status() >= 500) {
            LOG.log(System.Logger.Level.ERROR, "request failed: " + e.getMessage(), e);
        }
        return problem.toResponse();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return Problem.of(ErrorCode.INVALID_REQUEST, "malformed JSON: " + e.getOriginalMessage()).toResponse();
    }

    /**
     * Anything else that escapes a resource is a fault of the server, not of the request; it is
     * still problem+json (the framework's default page is not, and shows a stack trace in dev and
     * test), with the same code {@link RecordResource#failure} gives an unexpected error.
     */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "request failed unexpectedly", e);
        return Problem.of(ErrorCode.STORAGE_ERROR, String.valueOf(e.getMessage())).toResponse();
    }

    /**
     * The framework's refusals: no such route (404, {@code NOT_FOUND}), wrong method (405), media
     * type not taken (415); each keeps its status and says what was asked.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, Request request) {
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 413, 414, 431 -> ErrorCode.REQUEST_TOO_LARGE;
            case 415 -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            default -> ErrorCode.INVALID_REQUEST;
        };
        String what = request == null || uri == null ? "this request"
                : request.getMethod() + " /" + Params.abbreviate(uri.getPath().replaceFirst("^/", ""));
        String detail = switch (status) {
            case 404 -> "no such route: " + what + "; see /q/openapi for the API";
            case 405 -> what + " is not allowed; see /q/openapi for the methods of this path";
            default -> what + ": " + e.getMessage();
        };
        return Problem.at(status, code, detail).toResponse();
    }
}
