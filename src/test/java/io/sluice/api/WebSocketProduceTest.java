package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/** {@code /ws/produce} (API.md): per-record acks and errors, each carrying the client's id. */
@QuarkusTest
class WebSocketProduceTest extends ApiTest {

    private String topic(String name, int partitions, Map<String, String> config) {
        String t = "wsp-" + name + "-" + RUN;
        api.createTopic(t, partitions, config);
        created(t);
        return t;
    }

    private WsClient produce(String query) {
        return WsClient.open(api.ws("/ws/produce?" + query));
    }

    @Test
    void everyRecordIsAckedWithItsIdInOrderPerPartitionAndReadableOverRest() {
        String t = topic("acks", 3, Map.of());
        int n = 300;
        try (WsClient c = produce("topic=" + t)) {
            for (int i = 0; i < n; i++) {
                c.send("{\"id\":\"r-" + i + "\",\"key\":\"k-" + (i % 17) + "\",\"value\":{\"i\":" + i + "},"
                        + "\"headers\":{\"n\":\"" + i + "\"}}");
            }
            Wait.upTo(20).until(() -> c.frames().size() >= n);
            List<JsonNode> acks = c.frames("ack");
            assertEquals(n, acks.size(), () -> "not all acks: " + c.frames("error"));
            Set<String> ids = new HashSet<>();
            Map<Integer, List<Integer>> sentOrder = new HashMap<>();
            Map<Integer, List<Long>> ackedOffsets = new HashMap<>();
            Map<String, JsonNode> byId = new HashMap<>();
            for (JsonNode ack : acks) {
                String id = ack.get("id").asText();
                assertTrue(ids.add(id), "one ack per id: " + id);
                int i = Integer.parseInt(id.substring(2));
                int p = ack.get("partition").asInt();
                byte[] key = ("k-" + (i % 17)).getBytes(StandardCharsets.UTF_8);
                assertEquals(Utils.toPositive(Utils.murmur2(key)) % 3, p, "partition of " + id);
                assertTrue(ack.get("timestamp").asLong() > 0);
                sentOrder.computeIfAbsent(p, k -> new ArrayList<>()).add(i);
                ackedOffsets.computeIfAbsent(p, k -> new ArrayList<>()).add(ack.get("offset").asLong());
                byId.put(id, ack);
            }
            for (Map.Entry<Integer, List<Long>> e : ackedOffsets.entrySet()) {
                List<Long> offsets = e.getValue();
                for (int k = 0; k < offsets.size(); k++) {
                    assertEquals(k, offsets.get(k), "acks of partition " + e.getKey() + " in offset order");
                }
                List<Integer> sent = sentOrder.get(e.getKey());
                List<Integer> sorted = new ArrayList<>(sent);
                sorted.sort(null);
                assertEquals(sorted, sent, "offsets of partition " + e.getKey() + " follow the sending order");
            }
            List<Long> ends = api.logEndOffsets(t);
            for (int p = 0; p < 3; p++) {
                JsonNode records = api.fetch(t, p, "?offset=0&maxRecords=10000").get("records");
                assertEquals(ends.get(p), (long) records.size());
                for (JsonNode r : records) {
                    int i = r.get("value").get("i").asInt();
                    JsonNode ack = byId.get("r-" + i);
                    assertEquals(p, ack.get("partition").asInt());
                    assertEquals(ack.get("offset").asLong(), r.get("offset").asLong());
                    assertEquals(ack.get("timestamp").asLong(), r.get("timestamp").asLong());
                    assertEquals("k-" + (i % 17), r.get("key").asText());
                    assertEquals(Integer.toString(i), r.get("headers").get("n").asText());
                }
            }
        }
    }

    @Test
    void numericAndMissingIdsAndAcksZero() {
        String t = topic("ids", 1, Map.of());
        try (WsClient c = produce("topic=" + t + "&acks=1&format=string")) {
            c.send("{\"id\":7,\"value\":\"a\"}");
            c.send("{\"value\":\"b\",\"partition\":0,\"timestamp\":1764000000000}");
            Wait.upTo(10).until(() -> c.frames("ack").size() == 2);
            JsonNode first = c.frames("ack").get(0);
            assertEquals("7", first.get("id").asText());
            assertEquals(0, first.get("offset").asLong());
            JsonNode second = c.frames("ack").get(1);
            assertFalse(second.hasNonNull("id"), second::toString);
            assertEquals(1, second.get("offset").asLong());
            assertEquals(1_764_000_000_000L, second.get("timestamp").asLong());
        }
        try (WsClient c = produce("topic=" + t + "&acks=0")) {
            c.send("{\"id\":\"z\",\"value\":3}");
            JsonNode ack = c.awaitFrame("ack", 0);
            assertEquals("z", ack.get("id").asText());
            assertEquals(-1, ack.get("offset").asLong());
            Wait.upTo(10).until(() -> api.logEndOffsets(t).equals(List.of(3L)));
        }
    }

    /**
     * Errors found before the append (the record does not parse, names a missing partition, is
     * too large) used to be sent with no id at all, so the client could not tell which record
     * failed. Now they carry the id whenever it could be read; only text with no readable id
     * before the problem gets an error without one.
     */
    @Test
    void aBadRecordGetsAnErrorWithItsIdAndTheConnectionKeepsWorking() {
        String t = topic("bad", 2, Map.of("max.message.bytes", "300"));
        try (WsClient c = produce("topic=" + t + "&format=binary")) {
            c.send("{\"id\":\"good-1\",\"value\":\"AAEC\",\"partition\":0}");
            String[][] bad = {
                    {"bad-partition", "{\"id\":\"bad-partition\",\"value\":\"AA==\",\"partition\":9}",
                            "PARTITION_NOT_FOUND"},
                    {"bad-negative", "{\"id\":\"bad-negative\",\"value\":\"AA==\",\"partition\":-1}",
                            "INVALID_REQUEST"},
                    {"bad-field", "{\"id\":\"bad-field\",\"value\":\"AA==\",\"nope\":1}", "INVALID_REQUEST"},
                    {"bad-base64", "{\"id\":\"bad-base64\",\"value\":\"!!!\"}", "INVALID_REQUEST"},
                    {"bad-header", "{\"id\":\"bad-header\",\"value\":\"AA==\",\"headers\":{\"h\":\"%\"}}",
                            "INVALID_REQUEST"},
                    {"bad-type", "{\"id\":\"bad-type\",\"value\":42}", "INVALID_REQUEST"},
                    {"bad-too-large", "{\"id\":\"bad-too-large\",\"value\":\""
                            + java.util.Base64.getEncoder().encodeToString(new byte[600]) + "\"}", "RECORD_TOO_LARGE"},
                    {"bad-truncated", "{\"id\":\"bad-truncated\",\"value\":\"AA==\"", "INVALID_REQUEST"},
                    {"bad-trailing", "{\"id\":\"bad-trailing\",\"value\":\"AA==\"} {}", "INVALID_REQUEST"},
                    {"bad-timestamp", "{\"id\":\"bad-timestamp\",\"value\":\"AA==\","
                            + "\"timestamp\":-5}", "INVALID_REQUEST"}};
            for (String[] b : bad) {
                c.send(b[1]);
            }
            c.send("{not json");
            c.send("[1,2]");
            c.send("{\"id\":\"good-2\",\"value\":\"AwQF\",\"partition\":0}");
            Wait.upTo(10).until(() -> c.frames().size() == bad.length + 4);
            assertFalse(c.isClosed());
            Map<String, JsonNode> errors = new HashMap<>();
            List<JsonNode> anonymous = new ArrayList<>();
            for (JsonNode e : c.frames("error")) {
                assertFalse(e.path("message").asText().isBlank(), e::toString);
                if (e.hasNonNull("id")) {
                    errors.put(e.get("id").asText(), e);
                } else {
                    anonymous.add(e);
                }
            }
            for (String[] b : bad) {
                JsonNode e = errors.get(b[0]);
                assertTrue(e != null, () -> "no error frame with id " + b[0] + " in " + c.frames());
                assertEquals(b[2], e.get("code").asText(), e::toString);
            }
            assertEquals(2, anonymous.size(), () -> "errors without an id: " + anonymous);
            anonymous.forEach(e -> assertEquals("INVALID_REQUEST", e.get("code").asText()));

            List<JsonNode> acks = c.frames("ack");
            assertEquals(2, acks.size());
            assertEquals("good-1", acks.get(0).get("id").asText());
            assertEquals(0, acks.get(0).get("offset").asLong());
            assertEquals("good-2", acks.get(1).get("id").asText());
            assertEquals(1, acks.get(1).get("offset").asLong(), "the bad records wrote nothing in between");
            assertEquals(List.of(2L, 0L), api.logEndOffsets(t));
            JsonNode records = api.fetch(t, 0, "?offset=0&format=binary").get("records");
            assertEquals("AAEC", records.get(0).get("value").asText());
            assertEquals("AwQF", records.get(1).get("value").asText());
        }
    }

    /**
     * A record the topic accepts (default max.message.bytes, about 1 MB) can be sent as one
     * WebSocket message. The server used to keep Vert.x's default message limit of 256 KiB and
     * dropped the connection, with no error frame, on any larger record.
     */
    @Test
    void aRecordUpToMaxMessageBytesFitsInOneMessage() {
        String t = topic("large", 1, Map.of());
        String big = "y".repeat(1_000_000);
        byte[] bytes = new byte[700_000];
        new java.util.Random(11).nextBytes(bytes);
        try (WsClient c = produce("topic=" + t + "&format=string")) {
            c.send("{\"id\":\"big\",\"value\":\"" + big + "\"}");
            JsonNode ack = c.awaitFrame("ack", 0);
            assertEquals("big", ack.get("id").asText());
            assertFalse(c.isClosed());
        }
        try (WsClient c = produce("topic=" + t + "&format=binary")) {
            c.send("{\"id\":\"big-binary\",\"value\":\"" + java.util.Base64.getEncoder().encodeToString(bytes)
                    + "\"}");
            assertEquals(1, c.awaitFrame("ack", 0).get("offset").asLong());
        }
        JsonNode first = api.fetch(t, 0, "?offset=0&maxRecords=1&format=string").get("records").get(0);
        assertEquals(big, first.get("value").textValue());
        JsonNode second = api.fetch(t, 0, "?offset=1&maxRecords=1&format=binary").get("records").get(0);
        assertEquals(java.util.Base64.getEncoder().encodeToString(bytes), second.get("value").textValue());
    }

    @Test
    void badQueriesGetAnErrorFrameAndAClose() {
        String t = topic("bad-query", 1, Map.of());
        String[][] queries = {{"", "INVALID_REQUEST"}, {"topic=wsp-ghost-" + RUN, "TOPIC_NOT_FOUND"},
                {"topic=" + t + "&acks=2", "INVALID_REQUEST"}, {"topic=" + t + "&format=xml", "INVALID_REQUEST"},
                {"topic=" + t + "&keyFormat=xml", "INVALID_REQUEST"}};
        for (String[] q : queries) {
            try (WsClient c = produce(q[0])) {
                assertEquals(1008, c.awaitClose(10), q[0]);
                List<JsonNode> frames = c.frames();
                assertEquals(1, frames.size(), () -> q[0] + ": " + frames);
                assertEquals("error", frames.get(0).get("type").asText());
                assertEquals(q[1], frames.get(0).get("code").asText(), q[0]);
            }
        }
        assertEquals(List.of(0L), api.logEndOffsets(t));
    }

    /**
     * One unfragmented frame well over 64 KiB (Vert.x's default frame limit, which dropped the
     * connection with 1006) carries a record up to max.message.bytes; a record over the topic's
     * limit in a frame the server takes gets RECORD_TOO_LARGE and the connection goes on.
     */
    @Test
    void aSingleFrameUpToMaxMessageBytesIsTakenAndALargerRecordIsRefused() {
        String t = topic("frame", 1, Map.of());
        try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&format=string")) {
            ws.sendText("{\"id\":\"big\",\"value\":\"" + "f".repeat(1_000_000) + "\"}");
            JsonNode ack = HttpApi.parse(ws.read().text());
            assertEquals("ack", ack.get("type").asText(), ack.toString());
            assertEquals(0, ack.get("offset").asLong());
            ws.sendText("{\"id\":\"huge\",\"value\":\"" + "g".repeat(2_000_000) + "\"}");
            JsonNode error = HttpApi.parse(ws.read().text());
            assertEquals("RECORD_TOO_LARGE", error.get("code").asText(), error.toString());
            assertEquals("huge", error.get("id").asText());
            ws.sendText("{\"id\":\"after\",\"value\":\"small\"}");
            assertEquals(1, HttpApi.parse(ws.read().text()).get("offset").asLong());
        }
        assertEquals(List.of(2L), api.logEndOffsets(t));
    }

    /**
     * A frame over the WebSocket limit (16 MiB) is refused from its header, before its payload is
     * read: Vert.x drops the connection (no close frame, so the client sees 1006). Nothing is
     * stored and other connections go on.
     */
    @Test
    void aFrameOverTheLimitDropsTheConnectionBeforeItsPayloadIsRead() {
        String t = topic("too-big", 1, Map.of());
        try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&format=string")) {
            // The header declares 17 MiB; the server refuses from the header, before any payload.
            ws.sendFrame(RawWebSocket.TEXT, 17L * 1024 * 1024, new byte[0]);
            int code = ws.awaitClose();
            assertTrue(code == 1009 || code == 1006, "closed with " + code);
        }
        assertEquals(List.of(0L), api.logEndOffsets(t));
        try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&format=string")) {
            ws.sendText("{\"value\":\"next\"}");
            assertEquals("ack", HttpApi.parse(ws.read().text()).get("type").asText());
        }
    }

    /**
     * Text that is not valid UTF-8 used to be stored with U+FFFD in place of the bad bytes and
     * acknowledged (REST refuses it). RFC 6455 says fail the connection with 1007; nothing is stored.
     */
    @Test
    void invalidUtf8IsClosedWith1007AndNothingIsStored() {
        String t = topic("utf8", 1, Map.of());
        byte[][] bad = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xE2, (byte) 0x82}};
        for (byte[] b : bad) {
            byte[] head = "{\"id\":\"x\",\"value\":\"a".getBytes(StandardCharsets.UTF_8);
            byte[] tail = "\"}".getBytes(StandardCharsets.UTF_8);
            byte[] frame = new byte[head.length + b.length + tail.length];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(b, 0, frame, head.length, b.length);
            System.arraycopy(tail, 0, frame, head.length + b.length, tail.length);
            try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&format=string")) {
                ws.sendFrame(RawWebSocket.TEXT, frame);
                JsonNode error = HttpApi.parse(ws.read().text());
                assertEquals("INVALID_REQUEST", error.get("code").asText(), error.toString());
                assertEquals(1007, ws.awaitClose());
            }
        }
        assertEquals(List.of(0L), api.logEndOffsets(t));
        // U+FFFD written as a JSON escape is plain ASCII in the frame, and is stored.
        try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&format=string")) {
            ws.sendText("{\"value\":\"a\\ufffdb\"}");
            assertEquals("ack", HttpApi.parse(ws.read().text()).get("type").asText());
        }
        assertEquals("a\ufffdb", api.fetch(t, 0, "?offset=0&format=string").get("records").get(0).get("value")
                .asText());
    }
}
