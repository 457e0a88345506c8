package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.log.Header;
import io.sluice.log.LogRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Records frames built within a byte limit: never above it unless a single record is larger, then
 * that record alone; frames taken one after another carry every record once, in order.
 */
class RecordJsonWriterTest {
    private static final long SEED = 4_242_017L;

    private static List<LogRecord> records(Random rnd, long first, int count) {
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] value = ("\"" + "é\\n\u0001x".repeat(rnd.nextInt(400)) + "\"").getBytes(StandardCharsets.UTF_8);
            records.add(new LogRecord(first + i, 1_764_000_000_000L + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                    value, List.of(new Header("h", "v".getBytes(StandardCharsets.UTF_8)))));
        }
        return records;
    }

    @Test
    void framesStayWithinTheLimitAndCarryEveryRecordOnce() {
        System.out.println("RecordJsonWriterTest: seed " + SEED);
        Random rnd = new Random(SEED);
        for (Format format : Format.values()) {
            RecordJsonWriter writer = new RecordJsonWriter(format, Format.STRING);
            List<LogRecord> all = records(rnd, 100, 300);
            int limit = 1024 + rnd.nextInt(8192);
            List<LogRecord> rest = all;
            long expected = 100;
            while (!rest.isEmpty()) {
                RecordJsonWriter.Frame frame = writer.recordsFrame("t", 3, rest, limit);
                byte[] utf8 = frame.text().getBytes(StandardCharsets.UTF_8);
                assertEquals(utf8.length, frame.bytes(), "the size counted is the UTF-8 size");
                assertTrue(frame.bytes() <= limit || frame.records() == 1, format + ": " + frame.bytes() + " > " + limit);
                JsonNode parsed = HttpApi.parse(frame.text());
                assertEquals("records", parsed.get("type").asText());
                assertEquals(frame.records(), parsed.get("records").size());
                for (JsonNode r : parsed.get("records")) {
                    assertEquals(expected++, r.get("offset").asLong(), "in order, none skipped or repeated");
                }
                assertEquals(expected, frame.nextOffset());
                rest = rest.subList(frame.records(), rest.size());
            }
            assertEquals(400, expected);
        }
    }

    @Test
    void aRecordLargerThanTheLimitTravelsAlone() {
        RecordJsonWriter writer = new RecordJsonWriter(Format.BINARY, Format.STRING);
        List<LogRecord> records = List.of(new LogRecord(7, 0, null, new byte[10_000], List.of()),
                new LogRecord(8, 0, null, new byte[10], List.of()));
        RecordJsonWriter.Frame frame = writer.recordsFrame("t", 0, records, 100);
        assertEquals(1, frame.records());
        assertEquals(8, frame.nextOffset());
        assertTrue(frame.bytes() > 13_000, "base64 of 10,000 bytes");
    }
}
