package io.sluice.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.quarkus.runtime.configuration.MemorySize;
import io.sluice.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The limits every HTTP request meets before any resource runs, answered as problem+json: a
 * body over {@code quarkus.http.limits.max-body-size}, declared or chunked (413), a URI or headers
 * over {@code sluice.http.max-uri-length} / {@code sluice.http.max-header-size} (414, 431), and a
 * body that does not arrive in full within {@code sluice.http.body-timeout} (408, then the
 * connection is closed), so a client that declares 60 MB and stalls holds nothing for long.
 *
 * <p>Why here and not in Quarkus's own settings: the framework answers these with an empty body.
 * Its parser limits stay as a hard cap (twice ours, see application.properties) for what never
 * becomes a request at all.
 */
@ApplicationScoped
public class HttpLimits {
    /** Before Quarkus's own body-size check (order -2) and every other route. */
    static final int CHECK_ORDER = Integer.MIN_VALUE + 2;
    /** After {@link ProduceAdmission}, which counts a chunked produce body itself as it arrives. */
    private static final int CHUNKED_BODY_ORDER = ProduceAdmission.ROUTE_ORDER + 1;
    /** ": " and CRLF around each header line, as the HTTP/1.1 parser counts them. */
    private static final int HEADER_LINE_OVERHEAD = 4;

    private final long maxBodyBytes;
    private final int maxUriLength;
    private final int maxHeaderBytes;
    private final long bodyTimeoutMs;

    public HttpLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            HttpLimitsConfig config) {
        this.maxBodyBytes = maxBody.asLongValue();
        this.maxUriLength = (int) config.maxUriLength().asLongValue();
        this.maxHeaderBytes = (int) config.maxHeaderSize().asLongValue();
        this.bodyTimeoutMs = config.bodyTimeout().toMillis();
    }

    void install(@Observes Router router) {
        // A chunked body declares no length: read it here, where going over the limit is a failure
        // of this route (answered below) rather than the framework's bare 413 deeper down.
        BodyHandler chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes)
                .setMergeFormAttributes(false);
        router.route().order(CHECK_ORDER).handler(this::check).failureHandler(this::failed);
        router.route().order(CHUNKED_BODY_ORDER).handler(ctx -> {
            if (isChunked(ctx.request()) && !ctx.request().isEnded()) {
                chunkedBodies.handle(ctx);
            } else {
                ctx.next();
            }
        });
    }

    private void failed(RoutingContext ctx) {
        if (ctx.failure() instanceof HttpClosedException) {
            // The client left, or a refusal above closed the connection: no one to answer, nothing
            // for the log (a client sending oversized bodies in a loop would fill it otherwise).
            return;
        }
        int status = ctx.statusCode();
        if (ctx.response().headWritten() || status < 400 || status >= 500) {
            ctx.next();
        } else if (status == 413) {
            refuse(ctx, 413, "the body is larger than the limit of " + maxBodyBytes + " bytes");
        } else {
            // The router's own refusals (a chunked body that does not parse, say).
            refuse(ctx, status, ctx.request().method() + " " + Params.abbreviate(ctx.request().uri())
                    + " cannot be served (HTTP " + status + ")");
        }
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (request.uri().length() > maxUriLength) {
            refuse(ctx, 414, "the request URI has " + request.uri().length() + " characters; the limit is "
                    + maxUriLength);
            return;
        }
        int headerBytes = headerBytes(request);
        if (headerBytes > maxHeaderBytes) {
            refuse(ctx, 431, "the request headers take " + headerBytes + " bytes; the limit is " + maxHeaderBytes);
            return;
        }
        String length = request.getHeader(HttpHeaderNames.CONTENT_LENGTH);
        if (length != null) {
            long declared = parseLength(length);
            if (declared < 0) {
                refuse(ctx, 400, "Content-Length must be a whole number of bytes, was '" + Params.abbreviate(length)
                        + "'");
                return;
            }
            if (declared > maxBodyBytes) {
                refuse(ctx, 413, "the body declares " + declared + " bytes; the limit is " + maxBodyBytes);
                return;
            }
        }
        if (!request.isEnded() && (length != null || isChunked(request))) {
            long timer = ctx.vertx().setTimer(bodyTimeoutMs, id -> bodyTimedOut(ctx));
            ctx.addEndHandler(done -> ctx.vertx().cancelTimer(timer));
        }
        ctx.next();
    }

    private void bodyTimedOut(RoutingContext ctx) {
        if (ctx.request().isEnded() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) {
            ctx.request().connection().close();
        } else {
            refuse(ctx, 408, "the request body did not arrive within " + bodyTimeoutMs + " ms");
        }
    }

    private static int headerBytes(HttpServerRequest request) {
        int bytes = 0;
        for (Map.Entry<String, String> h : request.headers()) {
            bytes += h.getKey().length() + h.getValue().length() + HEADER_LINE_OVERHEAD;
        }
        return bytes;
    }

    private static long parseLength(String raw) {
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isChunked(HttpServerRequest request) {
        String te = request.getHeader(HttpHeaderNames.TRANSFER_ENCODING);
        return te != null && te.toLowerCase(Locale.ROOT).contains(HttpHeaderValues.CHUNKED);
    }

    /**
     * Answers and closes the connection: the rest of what the client sends (a body we refuse, the
     * remainder of a stalled one) is not worth reading.
     */
    private static void refuse(RoutingContext ctx, int status, String detail) {
        ErrorCode code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 413, 414, 431 -> ErrorCode.REQUEST_TOO_LARGE;
            default -> ErrorCode.INVALID_REQUEST;
        };
        byte[] body = Problem.at(status, code, detail).toJson();
        HttpServerResponse response = ctx.response();
        response.setStatusCode(status)
                .putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .endHandler(done -> ctx.request().connection().close())
                .end(Buffer.buffer(body));
    }
}
