package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /ws/produce} (API.md): per-record acks and errors, each carrying the client's id. */
@QuarkusTest
class WebSocketProduceTest {
    private static final String RUN = HttpApi.runId();
    private static final List<String> CREATED = new CopyOnWriteArrayList<>();
    private static HttpApi lastApi;

    @TestHTTPResource("/")
    URI base;

    private HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(base);
        lastApi = api;
    }

    @AfterAll
    static void deleteTopics() {
        if (lastApi != null) {
            CREATED.forEach(lastApi::deleteTopicIfExists);
        }
    }

    private String topic(String name, int partitions, Map<String, String> config) {
        String t = "wsp-" + name + "-" + RUN;
        api.createTopic(t, partitions, config);
        CREATED.add(t);
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
}
