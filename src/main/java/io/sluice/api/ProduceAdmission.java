package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.MemoryBudget;
import io.sluice.broker.ProduceLimits;
import io.sluice.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Admits a produce request into the broker's request memory before its body is read: a Vert.x
 * route ahead of the REST resource reserves the request's parse cost, estimated from its
 * Content-Length, and refuses 413 (larger than a request may be) or 503 with Retry-After (the
 * budget is full) without reading a byte of the body. A chunked body, which declares no length,
 * is counted and reserved as it arrives. The reservation is released when the response ends, so
 * it covers the body, the parsed records, the encoded batches and the reply.
 */
@ApplicationScoped
public class ProduceAdmission {
    /**
     * After {@link HttpLimits}'s checks and before it reads chunked bodies (this route counts a
     * produce body itself), and ahead of Quarkus's own body-size check (order -2), which would
     * answer 413 with no body.
     */
    static final int ROUTE_ORDER = HttpLimits.CHECK_ORDER + 1;
    /**
     * Heap a body costs while it is held, parsed and encoded. Measured: the body, plus about 2.1
     * times it for the parsed values and the encoded batches; the rest covers the buffers the body
     * is read into and the reply.
     */
    static final long BODY_COST_MULTIPLE = 4;
    /**
     * Heap of one record beyond its bytes. Measured about 75 bytes parsed and encoded (objects,
     * index arrays); the rest covers its result and its entry in the reply.
     */
    static final long PER_RECORD_COST = 320;
    /** The smallest record a body can hold, {@code {},} in a batch: bounds the records a body can carry. */
    static final long SMALLEST_RECORD_BYTES = 3;

    private final MemoryBudget budget;
    private final ProduceLimits limits;

    public ProduceAdmission(Broker broker) {
        this.budget = broker.requestMemory();
        this.limits = broker.config().produceLimits();
    }

    void install(@Observes Router router) {
        router.post("/topics/:topic/records").order(ROUTE_ORDER).handler(this::admit);
    }

    /** The heap a produce body of {@code bodyBytes} may cost, with at most {@code maxRecords} records. */
    static long cost(long bodyBytes, int maxRecords) {
        return bodyBytes * BODY_COST_MULTIPLE + Math.min(maxRecords, bodyBytes / SMALLEST_RECORD_BYTES) * PER_RECORD_COST;
    }

    private void admit(RoutingContext ctx) {
        String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared == null && ctx.request().version() != HttpVersion.HTTP_2) {
            countAsItArrives(ctx);
            return;
        }
        if (declared == null) {
            // An HTTP/2 body of unknown length cannot be read here and handed on (the REST layer
            // would find the stream ended), so it is admitted at the largest size it may have, or
            // with the whole budget when that is less: alone, as the largest request would be.
            admit(ctx, Math.min(cost(limits.maxRequestBytes(), limits.maxRecordsPerRequest()),
                    budget.capacityBytes()));
            return;
        }
        long length;
        try {
            length = Long.parseLong(declared.trim());
        } catch (NumberFormatException e) {
            refuse(ctx, ErrorCode.INVALID_REQUEST, "Content-Length must be a whole number, was '"
                    + Params.abbreviate(declared) + "'");
            return;
        }
        if (length > limits.maxRequestBytes()) {
            refuse(ctx, ErrorCode.REQUEST_TOO_LARGE, "the body declares " + length + " bytes; a produce request"
                    + " may have at most " + limits.maxRequestBytes());
            return;
        }
        reserve(ctx, length);
    }

    private void reserve(RoutingContext ctx, long length) {
        long cost = cost(Math.max(0, length), limits.maxRecordsPerRequest());
        if (cost > budget.capacityBytes()) {
            refuse(ctx, ErrorCode.REQUEST_TOO_LARGE, "the body declares " + length + " bytes, which would take "
                    + cost + " bytes of the broker's request memory of " + budget.capacityBytes() + "; send less");
            return;
        }
        admit(ctx, cost);
    }

    private void admit(RoutingContext ctx, long cost) {
        if (!budget.tryReserve(cost)) {
            refuse(ctx, ErrorCode.BROKER_BUSY, busy(cost));
            return;
        }
        ctx.addEndHandler(done -> budget.release(cost));
        ctx.next();
    }

    private String busy(long cost) {
        return "the broker's request memory is in use (" + budget.usedBytes() + " of " + budget.capacityBytes()
                + " bytes; this request needs " + cost + "); nothing was written, retry later";
    }

    /** A body without a length: reserved chunk by chunk, held here, and handed to the resource whole. */
    private void countAsItArrives(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Buffer body = Buffer.buffer();
        long[] reserved = {0};
        boolean[] refused = {false};
        ctx.addEndHandler(done -> budget.release(reserved[0]));
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            long length = (long) body.length() + chunk.length();
            if (length > limits.maxRequestBytes()) {
                refused[0] = true;
                refuse(ctx, ErrorCode.REQUEST_TOO_LARGE, "the body is longer than " + limits.maxRequestBytes()
                        + " bytes, the most a produce request may have");
                return;
            }
            long more = cost(length, limits.maxRecordsPerRequest()) - reserved[0];
            if (!budget.tryReserve(more)) {
                refused[0] = true;
                refuse(ctx, ErrorCode.BROKER_BUSY, busy(reserved[0] + more));
                return;
            }
            reserved[0] += more;
            body.appendBuffer(chunk);
        });
        request.endHandler(end -> {
            if (!refused[0]) {
                ctx.setBody(body);
                ctx.next();
            }
        });
        request.resume();
    }

    /**
     * Answers a refusal as problem+json. The unread rest of the body is read and dropped, not
     * held, so the connection stays usable and the client sees the answer instead of a reset.
     */
    private void refuse(RoutingContext ctx, ErrorCode code, String detail) {
        Problem problem = Problem.of(code, detail);
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        if (Problem.asksToRetry(problem.status())) {
            ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Integer.toString(Problem.RETRY_AFTER_SECONDS));
        }
        ctx.request().handler(dropped -> { });
        ctx.request().resume();
        ctx.response().setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(Buffer.buffer(problem.toJson()));
    }
}
