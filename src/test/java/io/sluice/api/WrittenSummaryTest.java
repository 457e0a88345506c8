package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.broker.RecordResult;
import io.sluice.error.ErrorCode;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * When records were written but the full reply could not be built (the heap ran short), the error
 * reply still says exactly what was written, per partition, so that a client does not resend it.
 */
class WrittenSummaryTest {
    @Test
    void listsWhatWasWrittenPerPartition() {
        List<RecordResult> results = List.of(RecordResult.ok(1, 10, 5), RecordResult.ok(0, 3, 5),
                RecordResult.ok(1, 11, 5), RecordResult.failed(2, ErrorCode.STORAGE_ERROR, "disk"),
                RecordResult.ok(0, 4, 5), RecordResult.ok(3, -1, 5));
        Response r = WrittenSummary.of(results, new OutOfMemoryError("Java heap space"));
        assertEquals(500, r.getStatus());
        assertEquals(Problem.MEDIA_TYPE, r.getMediaType().toString());
        JsonNode body = HttpApi.parse(new String((byte[]) r.getEntity(), StandardCharsets.UTF_8));
        assertEquals("STORAGE_ERROR", body.get("code").asText());
        assertTrue(body.get("detail").asText().contains("do not resend"), body.toString());
        JsonNode written = body.get("written");
        assertEquals(4, written.size());
        assertEquals("{\"partition\":0,\"records\":2,\"firstOffset\":3,\"lastOffset\":4,\"failed\":0}",
                written.get(0).toString());
        assertEquals("{\"partition\":1,\"records\":2,\"firstOffset\":10,\"lastOffset\":11,\"failed\":0}",
                written.get(1).toString());
        assertEquals("{\"partition\":2,\"records\":0,\"failed\":1}", written.get(2).toString());
        assertEquals("{\"partition\":3,\"records\":1,\"failed\":0}", written.get(3).toString(),
                "acks=0: written, without offsets");
    }
}
