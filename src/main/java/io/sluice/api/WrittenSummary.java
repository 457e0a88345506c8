package io.sluice.api;

import com.fasterxml.jackson.core.JsonGenerator;
import io.sluice.broker.RecordResult;
import io.sluice.error.ErrorCode;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last-resort reply to a produce whose records were queued but whose full reply could not be
 * built: a 500 problem that still says exactly what was written, per partition the offset range
 * and the number of records, in a {@code written} member. It is small (one entry per partition,
 * not per record), so it can be built when the full reply could not.
 */
final class WrittenSummary {
    private WrittenSummary() {
    }

    /** Per partition: records written, first and last offset (-1 when acks=0 gave none). */
    private static final class Range {
        long records;
        long first = Long.MAX_VALUE;
        long last = -1;
        long failed;
    }

    static Response of(List<RecordResult> results, Throwable error) {
        Map<Integer, Range> byPartition = new TreeMap<>();
        for (RecordResult r : results) {
            Range range = byPartition.computeIfAbsent(r.partition(), p -> new Range());
            if (r.isError()) {
                range.failed++;
            } else {
                range.records++;
                if (r.offset() >= 0) {
                    range.first = Math.min(range.first, r.offset());
                    range.last = Math.max(range.last, r.offset());
                }
            }
        }
        Problem problem = Problem.of(ErrorCode.STORAGE_ERROR, "the records listed in 'written' were written, but"
                + " the reply could not be built (" + error + "); do not resend them");
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 96 * byPartition.size());
        try (JsonGenerator g = ProduceRequestParser.JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", problem.type());
            g.writeStringField("title", problem.title());
            g.writeNumberField("status", problem.status());
            g.writeStringField("detail", problem.detail());
            g.writeStringField("code", problem.code());
            g.writeArrayFieldStart("written");
            for (Map.Entry<Integer, Range> e : byPartition.entrySet()) {
                Range range = e.getValue();
                g.writeStartObject();
                g.writeNumberField("partition", e.getKey());
                g.writeNumberField("records", range.records);
                if (range.last >= 0) {
                    g.writeNumberField("firstOffset", range.first);
                    g.writeNumberField("lastOffset", range.last);
                }
                g.writeNumberField("failed", range.failed);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(out.toByteArray()).build();
    }
}
