package io.sluice.api;

import io.sluice.broker.Broker;
import io.sluice.broker.MemoryBudget;
import io.sluice.broker.ProduceLimits;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admits a produce request into the broker's request memory before its body is read: a Vert.x
 * route ahead of the REST resource reserves the body's cost, from its Content-Length, and refuses
 * 413 (larger than a request may be) or 503 with Retry-After (the budget is full) without reading
 * a byte of the body. A chunked body, which declares no length, is counted and reserved as it
 * arrives. What a record costs beyond its bytes is reserved as the records are parsed
 * ({@link Admission#reserveRecords}), so a body is charged for the records it has, not for the
 * most a body of its length could hold. Everything is released when the response ends, so the
 * reservation covers the body, the parsed records, the encoded batches and the reply.
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
     * Heap a body costs at its peak while it is held, parsed and encoded. Measured: the body, plus
     * about 2.1 times it for the parsed values and the encoded batches that stay; the rest covers
     * the buffers the body is read into (an aggregating buffer that grows by doubling, then the
     * copy handed to the resource) and the reply. Four times was too few: one admitted 60 MiB body
     * beside fifteen refused ones ran a 1 GiB heap into back-to-back collections.
     */
    static final long BODY_COST_MULTIPLE = 6;
    /**
     * Heap of one record beyond its bytes. Measured about 75 bytes parsed and encoded (objects,
     * index arrays); the rest covers its result and its entry in the reply.
     */
    static final long PER_RECORD_COST = 320;
    /** Where the REST resource finds the request's {@link Admission}. */
    static final String ADMISSION = "sluice.produce.admission";

    /**
     * What one admitted request holds of the request memory: its body's cost from admission on,
     * then its records' as they are parsed; all of it released when the response ends.
     */
    static final class Admission {
        private final MemoryBudget budget;
        private final AtomicLong held = new AtomicLong();

        Admission(MemoryBudget budget) {
            this.budget = budget;
        }

        boolean tryReserve(long bytes) {
            if (!budget.tryReserve(bytes)) {
                return false;
            }
            held.addAndGet(bytes);
            return true;
        }

        long held() {
            return held.get();
        }

        /** Reserves the cost of {@code records} more parsed records, or refuses the request: nothing is written yet. */
        void reserveRecords(int records) {
            long bytes = records * PER_RECORD_COST;
            if (!tryReserve(bytes)) {
                throw new SluiceException(ErrorCode.BROKER_BUSY, "the broker's request memory is in use ("
                        + budget.usedBytes() + " of " + budget.capacityBytes() + " bytes) and this request's records"
                        + " need " + bytes + " more; nothing was written, retry later");
            }
        }

        void releaseAll() {
            budget.release(held.getAndSet(0));
        }
    }

    private final MemoryBudget budget;
    private final ProduceLimits limits;

    public ProduceAdmission(Broker broker) {
        this.budget = broker.requestMemory();
        this.limits = broker.config().produceLimits();
    }

    void install(@Observes Router router) {
        router.post("/topics/:topic/records").order(ROUTE_ORDER).handler(this::admit);
    }

    /** The heap a produce body of {@code bodyBytes} costs, before what its records cost beyond their bytes. */
    static long bodyCost(long bodyBytes) {
        return bodyBytes * BODY_COST_MULTIPLE;
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
            admit(ctx, Math.min(bodyCost(limits.maxRequestBytes()), budget.capacityBytes()));
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
        long cost = bodyCost(Math.max(0, length));
        if (cost > budget.capacityBytes()) {
            refuse(ctx, ErrorCode.REQUEST_TOO_LARGE, "the body declares " + length + " bytes, which would take "
                    + cost + " bytes of the broker's request memory of " + budget.capacityBytes() + "; send less");
            return;
        }
        admit(ctx, cost);
    }

    private void admit(RoutingContext ctx, long cost) {
        Admission admission = admission(ctx);
        if (!admission.tryReserve(cost)) {
            refuse(ctx, ErrorCode.BROKER_BUSY, busy(cost));
            return;
        }
        ctx.next();
    }

    private Admission admission(RoutingContext ctx) {
        Admission admission = new Admission(budget);
        ctx.put(ADMISSION, admission);
        ctx.addEndHandler(done -> admission.releaseAll());
        return admission;
    }

    private String busy(long cost) {
        return "the broker's request memory is in use (" + budget.usedBytes() + " of " + budget.capacityBytes()
                + " bytes; this request needs " + cost + "); nothing was written, retry later";
    }

    /** A body without a length: reserved chunk by chunk, held here, and handed to the resource whole. */
    private void countAsItArrives(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        Buffer body = Buffer.buffer();
        Admission admission = admission(ctx);
        boolean[] refused = {false};
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
            long more = bodyCost(length) - admission.held();
            if (!admission.tryReserve(more)) {
                refused[0] = true;
                refuse(ctx, ErrorCode.BROKER_BUSY, busy(admission.held() + more));
                return;
            }
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
