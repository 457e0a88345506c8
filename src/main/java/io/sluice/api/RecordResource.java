package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.broker.Acks;
import io.sluice.broker.Broker;
import io.sluice.broker.FetchResult;
import io.sluice.broker.ProduceRecord;
import io.sluice.broker.RecordResult;
import io.sluice.broker.Topic;
import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.vertx.ext.web.RoutingContext;
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
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
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
@Tag(name = "records", description = "Produce and fetch records")
public class RecordResource {
    static final String NDJSON = "application/x-ndjson";
    private static final int DEFAULT_MAX_RECORDS = 500;
    private static final int MAX_RECORDS_LIMIT = 10_000;
    private static final int DEFAULT_MAX_BYTES = 1024 * 1024;
    private static final int MAX_BYTES_LIMIT = 64 * 1024 * 1024;
    private static final int MAX_TIMEOUT_MS = 60_000;

    private final Broker broker;
    private final RequestMetrics metrics;
    private final ConsumeLimits consumeLimits;
    private final Executor replies = Infrastructure.getDefaultWorkerPool();

    public RecordResource(Broker broker, RequestMetrics metrics, ConsumeLimits consumeLimits) {
        this.broker = broker;
        this.metrics = metrics;
        this.consumeLimits = consumeLimits;
    }

    @POST
    @Path("/records")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Blocking
    @Operation(summary = "Produce records", description = "All records of the request are written, or none")
    @RequestBody(required = true, content = {
        @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Schemas.ProduceRequest.class)),
        @Content(mediaType = NDJSON, schema = @Schema(implementation = Schemas.ProduceRecord.class,
                description = "One record object per line"))})
    @APIResponse(responseCode = "200", description = "Every record written", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Schemas.ProduceReply.class)))
    @APIResponse(responseCode = "207", description = "Some partitions refused their records: those results carry"
            + " an error", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.ProduceReply.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, UNKNOWN_PARTITIONER", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND, PARTITION_NOT_FOUND", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "413", description = "RECORD_TOO_LARGE, REQUEST_TOO_LARGE", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "415", description = "UNSUPPORTED_MEDIA_TYPE", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "429", description = "THROTTLED: retry after Retry-After", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "BROKER_BUSY, NOT_ENOUGH_REPLICAS, LEADER_NOT_AVAILABLE",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> produce(@PathParam("topic") String topic,
            @Parameter(description = "When the reply is sent: 0 before the append, 1 once written, all once"
                    + " durable", schema = @Schema(type = SchemaType.STRING, enumeration = {"0", "1", "all", "-1"}, defaultValue = "all"))
            @QueryParam("acks") String acks,
            @Parameter(description = "Encoding of values and headers", schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "string", "binary"},
                    defaultValue = "json")) @QueryParam("format") String format,
            @Parameter(description = "Encoding of keys", schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "string", "binary"},
                    defaultValue = "string")) @QueryParam("keyFormat") String keyFormat,
            @Parameter(description = "A custom partitioner's name, for records with no partition")
            @QueryParam("partitioner") String partitioner,
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @Context RoutingContext exchange, byte[] body) {
        long start = System.nanoTime();
        Acks ackMode = Acks.parse(acks);
        ProduceAdmission.Admission admission = exchange.get(ProduceAdmission.ADMISSION);
        ProduceRequestParser parser = new ProduceRequestParser(Format.parse(format, Format.JSON, "format"),
                Format.parse(keyFormat, Format.STRING, "keyFormat"),
                broker.config().produceLimits().maxRecordsPerRequest(),
                admission == null ? ProduceRequestParser.RecordMemory.UNBOUNDED : admission::reserveRecords);
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
                    g.writeStringField("message", ServerPaths.redact(r.message()));
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

    /**
     * Reads a partition. The reply's memory comes from the broker-wide outbound budget: maxBytes
     * (at most a quarter of the budget) is reserved before the read and the reply's real size once it is written; when the budget
     * cannot hold it the answer is 503 BROKER_BUSY with Retry-After, and whatever was reserved is
     * returned when the exchange ends.
     */
    @GET
    @Path("/partitions/{partition}/records")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Fetch records", description = "Records from offset on; with timeoutMs, waits for"
            + " records when there are none yet")
    @APIResponse(responseCode = "200", description = "The records (possibly none) and the next offset",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schemas.FetchReply.class)))
    @APIResponse(responseCode = "400", description = "INVALID_REQUEST, INVALID_OFFSET", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", description = "TOPIC_NOT_FOUND, PARTITION_NOT_FOUND", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "416", description = "OFFSET_OUT_OF_RANGE", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "TIER_UNAVAILABLE, BROKER_BUSY", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public CompletionStage<Response> fetch(@PathParam("topic") String topic,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "0"))
            @PathParam("partition") String partition,
            @Parameter(required = true, description = "First offset to read", schema = @Schema(
                    type = SchemaType.INTEGER, format = "int64", minimum = "0")) @QueryParam("offset") String offset,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                    maximum = "" + MAX_RECORDS_LIMIT, defaultValue = "" + DEFAULT_MAX_RECORDS))
            @QueryParam("maxRecords") String maxRecords,
            @Parameter(description = "Reply size goal; the batch holding offset is always returned whole",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "1",
                    maximum = "" + MAX_BYTES_LIMIT, defaultValue = "" + DEFAULT_MAX_BYTES))
            @QueryParam("maxBytes") String maxBytes,
            @Parameter(description = "Long poll: how long to wait for records when there are none",
                    schema = @Schema(type = SchemaType.INTEGER, format = "int32", minimum = "0",
                    maximum = "" + MAX_TIMEOUT_MS, defaultValue = "0")) @QueryParam("timeoutMs") String timeoutMs,
            @Parameter(description = "Encoding of values and headers", schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "string", "binary"},
                    defaultValue = "json")) @QueryParam("format") String format,
            @Parameter(description = "Encoding of keys", schema = @Schema(type = SchemaType.STRING, enumeration = {"json", "string", "binary"},
                    defaultValue = "string")) @QueryParam("keyFormat") String keyFormat,
            @Context RoutingContext exchange) {
        long start = System.nanoTime();
        int p = Params.partition(partition);
        long from = Params.longParam(offset, "offset", 0, Long.MAX_VALUE, null, ErrorCode.INVALID_OFFSET);
        int records = Params.intParam(maxRecords, "maxRecords", 1, MAX_RECORDS_LIMIT, DEFAULT_MAX_RECORDS);
        int bytes = Math.min(consumeLimits.maxFetchBytes(),
                Params.intParam(maxBytes, "maxBytes", 1, MAX_BYTES_LIMIT, DEFAULT_MAX_BYTES));
        int timeout = Params.intParam(timeoutMs, "timeoutMs", 0, MAX_TIMEOUT_MS, 0);
        RecordJsonWriter writer = new RecordJsonWriter(Format.parse(format, Format.JSON, "format"),
                Format.parse(keyFormat, Format.STRING, "keyFormat"));
        ReplyReservation reservation = ReplyReservation.tryReserve(consumeLimits.outbound(), bytes);
        if (reservation == null) {
            return CompletableFuture.completedFuture(busy(bytes));
        }
        exchange.addEndHandler(ended -> reservation.end());
        RequestMetrics.TopicMeters meters = metrics.of(broker.topic(topic));
        CompletableFuture<FetchResult> read = broker.fetch(topic, p, from, records, bytes, timeout);
        return read.thenApply(result -> {
            byte[] body = fetchReply(topic, p, result, writer);
            // A long poll's time is mostly waiting for data: kept apart, so the latency stays the read's.
            RequestMetrics.record(timeout == 0 ? meters.fetchLatency() : meters.fetchLongPoll(), start);
            meters.fetchedRecords().increment(result.records().size());
            return reservation.resize(body.length) ? Response.ok(body, MediaType.APPLICATION_JSON).build()
                    : busy(body.length);
        }).exceptionally(RecordResource::failure);
    }

    private Response busy(long bytes) {
        return Problem.of(ErrorCode.BROKER_BUSY, "the broker holds as many outbound bytes as it may ("
                + consumeLimits.outbound().capacityBytes() + "); a reply of " + bytes + " bytes does not fit now: "
                + "retry later or with a smaller maxBytes").toResponse();
    }

    private static byte[] fetchReply(String topic, int partition, FetchResult result, RecordJsonWriter writer) {
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
        return out.toByteArray();
    }

    static Response failure(Throwable error) {
        Throwable cause = SluiceException.causeOf(error);
        if (cause instanceof SluiceException s) {
            return new ProblemMappers().sluice(s);
        }
        return Problem.of(ErrorCode.STORAGE_ERROR, String.valueOf(cause.getMessage())).toResponse();
    }
}
