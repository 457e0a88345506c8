package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.ProduceRecord;
import io.sluice.broker.RecordResult;
import io.sluice.broker.Topic;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogRecord;
import io.sluice.log.PartitionLog.ReadResult;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Produce ({@code POST /topics/{t}/records}) and fetch ({@code GET .../partitions/{p}/records}).
 * A produce body has been admitted into the request memory before it was read
 * ({@link ProduceAdmission}); it is parsed on a worker thread, not the event loop, and its reply
 * built on one too. Bodies are parsed and written with Jackson's streaming API, record by record.
 */
@Path("/topics/{topic}")
public class RecordResource {
    static final String NDJSON = "application/x-ndjson";
    private static final int DEFAULT_MAX_RECORDS = 500;
    private static final int MAX_RECORDS_LIMIT = 10_000;
    private static final int DEFAULT_MAX_BYTES = 1024 * 1024;
    private static final int MAX_BYTES_LIMIT = 64 * 1024 * 1024;
    private static final int MAX_TIMEOUT_MS = 60_000;

    private final Broker broker;
    private final RequestMetrics metrics;
    private final Executor replies = Infrastructure.getDefaultWorkerPool();

    public RecordResource(Broker broker, RequestMetrics metrics) {
        this.broker = broker;
        this.metrics = metrics;
    }

    @POST
    @Path("/records")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    public CompletionStage<Response> produce(@PathParam("topic") String topic, @QueryParam("acks") String acks,
            @QueryParam("format") String format, @QueryParam("keyFormat") String keyFormat,
            @QueryParam("partitioner") String partitioner, @HeaderParam("Content-Type") String contentType,
            byte[] body) {
        long start = System.nanoTime();
        Acks ackMode = Acks.parse(acks);
        ProduceRequestParser parser = new ProduceRequestParser(Format.parse(format, Format.JSON, "format"),
                Format.parse(keyFormat, Format.STRING, "keyFormat"),
                broker.config().produceLimits().maxRecordsPerRequest());
        Topic t = broker.topic(topic); // an unknown topic is reported before the body is looked at
        if (body == null || body.length == 0) {
            throw new SluiceException(ErrorCode.INVALID_REQUEST, "the produce request has no body");
        }
        List<ProduceRecord> records = isNdjson(contentType) ? parser.parseNdjson(body) : parser.parseBatch(body);
        RequestMetrics.TopicMeters meters = metrics.of(t);
        long bodyBytes = body.length; // not the body itself: the continuation must not keep it alive
        // The broker's future completes on a partition's writer thread: the reply is built elsewhere,
        // so that the writer goes straight on to its next group commit.
        return broker.produce(topic, records, ackMode, partitioner)
                .thenApplyAsync(results -> reply(results, meters, start, bodyBytes), replies)
                .exceptionally(RecordResource::failure);
    }

    /**
     * The reply to a produce whose batches were queued. If even that fails (the heap is short), the
     * records are written all the same: the error reply says which, partition by partition.
     */
    private static Response reply(List<RecordResult> results, RequestMetrics.TopicMeters meters, long start,
            long bodyBytes) {
        try {
            Response reply = produceReply(results);
            long ok = results.stream().filter(r -> !r.isError()).count();
            meters.producedRecords().increment(ok);
            meters.producedBytes().increment(ok == results.size() ? bodyBytes : 0);
            RequestMetrics.record(meters.produceLatency(), start);
            return reply;
        } catch (RuntimeException | OutOfMemoryError e) {
            return WrittenSummary.of(results, e);
        }
    }

    private static boolean isNdjson(String contentType) {
        if (contentType == null) {
            return false;
        }
        // A media type compares case-insensitively and may carry parameters (RFC 9110, 8.3.1); the
        // type itself must match exactly, so application/jsonl is not taken for application/json.
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim()
                .toLowerCase(Locale.ROOT);
        if (type.equals(MediaType.APPLICATION_JSON)) {
            return false;
        }
        if (type.equals(NDJSON)) {
            return true;
        }
        throw new SluiceException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "produce takes application/json or "
                + NDJSON + ", not " + Params.abbreviate(contentType));
    }

    private static Response produceReply(List<RecordResult> results) {
        boolean anyError = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + results.size() * 56);
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("offsets");
            for (RecordResult r : results) {
                g.writeStartObject();
                g.writeNumberField("partition", r.partition());
                if (r.isError()) {
                    anyError = true;
                    g.writeObjectFieldStart("error");
                    g.writeStringField("code", r.error().name());
                    g.writeStringField("message", r.message());
                    g.writeEndObject();
                } else {
                    g.writeNumberField("offset", r.offset());
                    g.writeNumberField("timestamp", r.timestamp());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.status(anyError ? 207 : 200).type(MediaType.APPLICATION_JSON).entity(out.toByteArray())
                .build();
    }

    @GET
    @Path("/partitions/{partition}/records")
    @Produces(MediaType.APPLICATION_JSON)
    public CompletionStage<Response> fetch(@PathParam("topic") String topic, @PathParam("partition") String partition,
            @QueryParam("offset") String offset, @QueryParam("maxRecords") String maxRecords,
            @QueryParam("maxBytes") String maxBytes, @QueryParam("timeoutMs") String timeoutMs,
            @QueryParam("format") String format, @QueryParam("keyFormat") String keyFormat) {
        long start = System.nanoTime();
        int p = Params.partition(partition);
        long from = Params.longParam(offset, "offset", 0, Long.MAX_VALUE, null, ErrorCode.INVALID_OFFSET);
        int records = Params.intParam(maxRecords, "maxRecords", 1, MAX_RECORDS_LIMIT, DEFAULT_MAX_RECORDS);
        int bytes = Params.intParam(maxBytes, "maxBytes", 1, MAX_BYTES_LIMIT, DEFAULT_MAX_BYTES);
        int timeout = Params.intParam(timeoutMs, "timeoutMs", 0, MAX_TIMEOUT_MS, 0);
        RecordJsonWriter writer = new RecordJsonWriter(Format.parse(format, Format.JSON, "format"),
                Format.parse(keyFormat, Format.STRING, "keyFormat"));
        RequestMetrics.TopicMeters meters = metrics.of(broker.topic(topic));
        CompletableFuture<ReadResult> read = broker.fetch(topic, p, from, records, bytes, timeout);
        return read.thenApply(result -> {
            Response reply = fetchReply(topic, p, result, writer);
            // A long poll's time is mostly waiting for data: kept apart, so the latency stays the read's.
            RequestMetrics.record(timeout == 0 ? meters.fetchLatency() : meters.fetchLongPoll(), start);
            meters.fetchedRecords().increment(result.records().size());
            return reply;
        }).exceptionally(RecordResource::failure);
    }

    private static Response fetchReply(String topic, int partition, ReadResult result, RecordJsonWriter writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + result.records().size() * 256);
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("records");
            writer.writeRecords(g, topic, partition, result.records());
            g.writeEndArray();
            g.writeNumberField("nextOffset", result.nextOffset());
            g.writeNumberField("highWatermark", result.highWatermark());
            g.writeNumberField("logStartOffset", result.logStartOffset());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.ok(out.toByteArray(), MediaType.APPLICATION_JSON).build();
    }

    static Response failure(Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        if (cause instanceof SluiceException s) {
            return new ProblemMappers().sluice(s);
        }
        return Problem.of(ErrorCode.STORAGE_ERROR, String.valueOf(cause.getMessage())).toResponse();
    }
}
