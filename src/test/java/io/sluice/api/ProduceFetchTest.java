package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Produce and fetch over REST (API.md, "Produce" and the fetch row): the three encodings for
 * keys, values and headers, NDJSON, explicit partitions and timestamps, the partitioners (Kafka's
 * murmur2 checked against kafka-clients itself, round-robin, custom SPI partitioners), acks, and
 * the fetch limits and long poll.
 */
@QuarkusTest
class ProduceFetchTest extends ApiTest {
    private static final long SEED = 20_250_601L;

    private String topic(String name, int partitions) {
        return topic(name, partitions, Map.of());
    }

    private String topic(String name, int partitions, Map<String, String> config) {
        String t = "pf-" + name + "-" + RUN;
        api.createTopic(t, partitions, config);
        created(t);
        return t;
    }

    private static Random random(String test) {
        System.out.println("ProduceFetchTest." + test + ": seed " + SEED);
        return new Random(SEED ^ test.hashCode());
    }

    private static ObjectNode record() {
        return HttpApi.JSON.createObjectNode();
    }

    private static String batch(List<ObjectNode> records) {
        ObjectNode body = HttpApi.JSON.createObjectNode();
        ArrayNode array = body.putArray("records");
        records.forEach(array::add);
        return body.toString();
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static int kafkaPartition(byte[] key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key)) % partitions;
    }

    // ---- encodings ------------------------------------------------------------------------------

    @Test
    void jsonValuesComeBackParsedAndNullsStayNull() {
        String t = topic("json", 1);
        String body = """
                {"records":[
                  {"key":"user-42","value":{"amount":10,"tags":["a","b"]}},
                  {"value":[1,2,3]},
                  {"value":"text"},
                  {"value":42},
                  {"value":-3.5},
                  {"value":true},
                  {"key":null,"value":null},
                  {},
                  {"value":"null"},
                  {"value":{ "spaced" :  [ 1 , 2 ] }}
                ]}""";
        JsonNode offsets = api.produce(t, "", body);
        assertEquals(10, offsets.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(0, offsets.get(i).get("partition").asInt());
            assertEquals(i, offsets.get(i).get("offset").asLong());
        }
        JsonNode fetched = api.fetch(t, 0, "?offset=0");
        assertEquals(10, fetched.get("nextOffset").asLong());
        assertEquals(10, fetched.get("highWatermark").asLong());
        JsonNode r = fetched.get("records");
        assertEquals(10, r.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(t, r.get(i).get("topic").asText());
            assertEquals(0, r.get(i).get("partition").asInt());
            assertEquals(i, r.get(i).get("offset").asLong());
            assertTrue(r.get(i).get("timestamp").asLong() > 0);
            assertTrue(r.get(i).get("headers").isObject() && r.get(i).get("headers").isEmpty());
            if (i > 0) {
                assertTrue(r.get(i).get("key").isNull(), "record " + i + " key must be JSON null");
            }
        }
        assertEquals("user-42", r.get(0).get("key").asText());
        assertEquals(HttpApi.parse("{\"amount\":10,\"tags\":[\"a\",\"b\"]}"), r.get(0).get("value"));
        assertEquals(HttpApi.parse("[1,2,3]"), r.get(1).get("value"));
        assertEquals("text", r.get(2).get("value").textValue());
        assertEquals(42, r.get(3).get("value").intValue());
        assertTrue(r.get(3).get("value").isIntegralNumber());
        assertEquals(-3.5, r.get(4).get("value").doubleValue());
        assertTrue(r.get(5).get("value").booleanValue());
        assertTrue(r.get(6).get("value").isNull(), "a null value stays null");
        assertTrue(r.get(7).get("value").isNull(), "a missing value is null");
        assertEquals("null", r.get(8).get("value").textValue(), "the string \"null\" stays a string");
        assertEquals(HttpApi.parse("{\"spaced\":[1,2]}"), r.get(9).get("value"));

        // Stored as compact UTF-8 JSON text: read back as string and as binary.
        JsonNode asString = api.fetch(t, 0, "?offset=0&format=string").get("records");
        assertEquals("{\"amount\":10,\"tags\":[\"a\",\"b\"]}", asString.get(0).get("value").textValue());
        assertEquals("\"text\"", asString.get(2).get("value").textValue());
        assertTrue(asString.get(6).get("value").isNull());
        assertEquals("\"null\"", asString.get(8).get("value").textValue());
        assertEquals("{\"spaced\":[1,2]}", asString.get(9).get("value").textValue());
        JsonNode asBinary = api.fetch(t, 0, "?offset=0&format=binary&keyFormat=binary").get("records");
        assertEquals(b64("42".getBytes(StandardCharsets.UTF_8)), asBinary.get(3).get("value").textValue());
        assertEquals(b64("user-42".getBytes(StandardCharsets.UTF_8)), asBinary.get(0).get("key").textValue());
        assertTrue(asBinary.get(6).get("value").isNull());
        assertTrue(asBinary.get(7).get("key").isNull());
    }

    /**
     * "Stored as its compact UTF-8 text": numbers keep their digits. Values used to be copied
     * through a double, so 31 significant digits became 16 and 1e400 became the string
     * "Infinity".
     */
    @Test
    void jsonNumbersAreStoredExactly() {
        String t = topic("json-numbers", 1);
        String[] numbers = {"3.141592653589793238462643383279", "1e400", "-2.5E-400",
                "0.1000000000000000055511151231257827", "12345678901234567890123", "1.10"};
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < numbers.length; i++) {
            body.append(i == 0 ? "" : ",").append("{\"key\":{\"n\":").append(numbers[i]).append("},\"value\":")
                    .append(numbers[i]).append('}');
        }
        api.produce(t, "?keyFormat=json", body.append("]}").toString());
        JsonNode asText = api.fetch(t, 0, "?offset=0&format=string").get("records");
        for (int i = 0; i < numbers.length; i++) {
            String stored = asText.get(i).get("value").textValue();
            assertEquals(0, new BigDecimal(numbers[i]).compareTo(new BigDecimal(stored)),
                    numbers[i] + " was stored as " + stored);
            String key = asText.get(i).get("key").textValue();
            assertEquals(0, new BigDecimal(numbers[i]).compareTo(new BigDecimal(key.substring(5, key.length() - 1))),
                    "key {\"n\":" + numbers[i] + "} was stored as " + key);
        }
        assertEquals("3.141592653589793238462643383279", asText.get(0).get("value").textValue());
        String raw = api.get("/topics/" + t + "/partitions/0/records?offset=0&maxRecords=1").body();
        assertTrue(raw.contains("\"value\":3.141592653589793238462643383279"), raw);
    }

    @Test
    void stringValuesAreStoredAsUtf8() {
        String t = topic("string", 1);
        String[] values = {"h\u00e9llo \u2713 \ud83d\ude00", "", "{\"not\":\"parsed\"}", "null", null};
        List<ObjectNode> records = new ArrayList<>();
        for (String v : values) {
            records.add(record().put("key", "k").put("value", v));
        }
        api.produce(t, "?format=string", batch(records));
        JsonNode r = api.fetch(t, 0, "?offset=0&format=string").get("records");
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                assertTrue(r.get(i).get("value").isNull(), "null stays null, not \"null\"");
            } else {
                assertEquals(values[i], r.get(i).get("value").textValue());
            }
        }
        JsonNode bin = api.fetch(t, 0, "?offset=0&format=binary").get("records");
        assertEquals(b64(values[0].getBytes(StandardCharsets.UTF_8)), bin.get(0).get("value").textValue());
        assertEquals("", bin.get(1).get("value").textValue(), "an empty value is empty, not null");
        assertTrue(bin.get(4).get("value").isNull());
    }

    @Test
    void binaryKeysValuesAndHeadersRoundTripExactly() {
        Random rnd = random("binary");
        String t = topic("binary", 1);
        List<ObjectNode> records = new ArrayList<>();
        List<String[]> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] key = new byte[rnd.nextInt(33)];
            byte[] value = new byte[rnd.nextInt(400)];
            byte[] header = new byte[rnd.nextInt(20)];
            rnd.nextBytes(key);
            rnd.nextBytes(value);
            rnd.nextBytes(header);
            String k = i % 10 == 3 ? null : b64(key);
            String v = i % 10 == 7 ? null : b64(value);
            ObjectNode r = record().put("key", k).put("value", v).put("partition", 0);
            r.putObject("headers").put("h", b64(header)).put("second", b64(new byte[] {(byte) i, -1, 0}));
            records.add(r);
            expected.add(new String[] {k, v, b64(header)});
        }
        api.produce(t, "?format=binary&keyFormat=binary", batch(records));
        JsonNode r = api.fetch(t, 0, "?offset=0&format=binary&keyFormat=binary").get("records");
        assertEquals(40, r.size());
        for (int i = 0; i < 40; i++) {
            String[] e = expected.get(i);
            JsonNode got = r.get(i);
            if (e[0] == null) {
                assertTrue(got.get("key").isNull(), "record " + i);
            } else {
                assertEquals(e[0], got.get("key").textValue(), "key of record " + i);
            }
            if (e[1] == null) {
                assertTrue(got.get("value").isNull(), "record " + i);
            } else {
                assertEquals(e[1], got.get("value").textValue(), "value of record " + i);
            }
            assertEquals(e[2], got.get("headers").get("h").textValue(), "header of record " + i);
            assertEquals(b64(new byte[] {(byte) i, -1, 0}), got.get("headers").get("second").textValue());
        }
    }

    @Test
    void jsonKeysAreStoredCompactAndPartitionedByTheirBytes() {
        String t = topic("json-keys", 5);
        String[] keys = {"{\"id\":7}", "[1,\"a\"]", "12", "\"str\"", "{ \"id\" : 8 }"};
        String[] compact = {"{\"id\":7}", "[1,\"a\"]", "12", "\"str\"", "{\"id\":8}"};
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < keys.length; i++) {
            body.append("{\"key\":").append(keys[i]).append(",\"value\":").append(i).append("},");
        }
        body.append("{\"key\":null,\"value\":\"keyless\"}]}");
        JsonNode offsets = api.produce(t, "?keyFormat=json", body.toString());
        for (int i = 0; i < keys.length; i++) {
            int p = offsets.get(i).get("partition").asInt();
            assertEquals(kafkaPartition(compact[i].getBytes(StandardCharsets.UTF_8), 5), p, "key " + keys[i]);
            long o = offsets.get(i).get("offset").asLong();
            JsonNode got = api.fetch(t, p, "?offset=" + o + "&maxRecords=1&keyFormat=json").get("records").get(0);
            assertEquals(HttpApi.parse(compact[i]), got.get("key"));
            assertEquals(i, got.get("value").asInt());
            JsonNode asString = api.fetch(t, p, "?offset=" + o + "&maxRecords=1").get("records").get(0);
            assertEquals(compact[i], asString.get("key").textValue());
        }
        JsonNode keyless = offsets.get(keys.length);
        JsonNode got = api.fetch(t, keyless.get("partition").asInt(), "?offset=" + keyless.get("offset").asLong()
                + "&maxRecords=1&keyFormat=json").get("records").get(0);
        assertTrue(got.get("key").isNull());
    }

    @Test
    void stringHeadersKeepTheirOrderAndValues() {
        String t = topic("headers", 1);
        String body = "{\"records\":[{\"value\":1,\"headers\":{\"source\":\"web\",\"empty\":\"\",\"unicode\":"
                + "\"\u00fc\u2713\",\"nothing\":null,\"a\":\"z\"}},{\"value\":2,\"headers\":null},{\"value\":3}]}";
        api.produce(t, "", body);
        JsonNode r = api.fetch(t, 0, "?offset=0").get("records");
        JsonNode h = r.get(0).get("headers");
        List<String> names = new ArrayList<>();
        h.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("source", "empty", "unicode", "nothing", "a"), names);
        assertEquals("web", h.get("source").textValue());
        assertEquals("", h.get("empty").textValue());
        assertEquals("\u00fc\u2713", h.get("unicode").textValue());
        assertTrue(h.get("nothing").isNull());
        assertTrue(r.get(1).get("headers").isEmpty());
        assertTrue(r.get(2).get("headers").isEmpty());
        JsonNode bin = api.fetch(t, 0, "?offset=0&format=binary").get("records").get(0).get("headers");
        assertEquals(b64("web".getBytes(StandardCharsets.UTF_8)), bin.get("source").textValue());
    }

    @Test
    void ndjsonGetsTheSameReplyAsTheJsonBatch() {
        String viaJson = topic("batch", 3);
        String viaNdjson = topic("ndjson", 3);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ObjectNode r = record().put("timestamp", 1_764_000_000_000L + i);
            r.putObject("value").put("i", i);
            if (i % 3 == 0) {
                r.put("key", "key-" + i);
            } else if (i % 3 == 1) {
                r.put("partition", i % 2);
            }
            r.putObject("headers").put("n", Integer.toString(i));
            records.add(r);
        }
        JsonNode a = api.produce(viaJson, "", batch(records));
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < records.size(); i++) {
            ndjson.append(records.get(i)).append(i % 4 == 0 ? "\r\n" : "\n");
            if (i == 10) {
                ndjson.append("\n");
            }
        }
        HttpApi.Reply reply = api.send("POST", "/topics/" + viaNdjson + "/records", "application/x-ndjson",
                ndjson.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(200, reply.status(), reply.body());
        assertEquals(a, reply.json().get("offsets"));
        for (int p = 0; p < 3; p++) {
            JsonNode x = api.fetch(viaJson, p, "?offset=0").get("records");
            JsonNode y = api.fetch(viaNdjson, p, "?offset=0").get("records");
            assertEquals(x.size(), y.size());
            for (int i = 0; i < x.size(); i++) {
                ((ObjectNode) x.get(i)).remove("topic");
                ((ObjectNode) y.get(i)).remove("topic");
            }
            assertEquals(x, y, "partition " + p);
        }
    }

    @Test
    void contentTypeParametersAndCaseAreAccepted() {
        String t = topic("content-type", 1);
        String json = "{\"records\":[{\"value\":1}]}";
        String line = "{\"value\":1}\n";
        String[][] accepted = {{"application/json; charset=utf-8", json}, {"Application/JSON", json},
                {"application/x-ndjson; charset=UTF-8", line}, {"APPLICATION/X-NDJSON", line}};
        for (String[] a : accepted) {
            HttpApi.Reply r = api.send("POST", "/topics/" + t + "/records", a[0],
                    a[1].getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.status(), a[0] + ": " + r.body());
        }
        assertEquals(List.of(4L), api.logEndOffsets(t));
    }

    // ---- partitions, timestamps and reply order -----------------------------------------------------

    @Test
    void explicitPartitionsAndTimestampsAreKeptAndRepliesFollowRequestOrder() {
        Random rnd = random("explicit");
        String t = topic("explicit", 4);
        int n = 200;
        int[] partition = new int[n];
        Long[] timestamp = new Long[n];
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            partition[i] = rnd.nextInt(4);
            timestamp[i] = rnd.nextInt(3) == 0 ? null : 1_600_000_000_000L + rnd.nextInt(1_000_000_000);
            ObjectNode r = record().put("key", "same-key").put("value", i).put("partition", partition[i]);
            if (timestamp[i] != null) {
                r.put("timestamp", timestamp[i]);
            }
            records.add(r);
        }
        long before = System.currentTimeMillis();
        JsonNode offsets = api.produce(t, "", batch(records));
        long after = System.currentTimeMillis();
        assertEquals(n, offsets.size());
        long[] next = new long[4];
        for (int i = 0; i < n; i++) {
            JsonNode o = offsets.get(i);
            assertEquals(partition[i], o.get("partition").asInt(), "record " + i);
            assertEquals(next[partition[i]]++, o.get("offset").asLong(), "record " + i);
            long ts = o.get("timestamp").asLong();
            if (timestamp[i] != null) {
                assertEquals(timestamp[i], ts, "record " + i);
            } else {
                assertTrue(ts >= before - 1000 && ts <= after + 1000, "broker time for record " + i + ": " + ts);
            }
        }
        for (int p = 0; p < 4; p++) {
            JsonNode r = api.fetch(t, p, "?offset=0").get("records");
            assertEquals(next[p], r.size());
            int k = 0;
            for (int i = 0; i < n; i++) {
                if (partition[i] == p) {
                    assertEquals(i, r.get(k).get("value").asInt());
                    assertEquals(offsets.get(i).get("timestamp").asLong(), r.get(k).get("timestamp").asLong());
                    k++;
                }
            }
        }
        assertEquals(List.of(next[0], next[1], next[2], next[3]), api.logEndOffsets(t));
    }

    @Test
    void keyedRecordsLandWhereKafkasDefaultPartitionerPutsThem() {
        Random rnd = random("murmur2");
        int partitions = 7;
        String t = topic("murmur2", partitions);
        List<ObjectNode> records = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"
                + "\u00e9\u00fc\u4e2d\ud83d\ude00";
        for (int i = 0; i < 500; i++) {
            StringBuilder k = new StringBuilder();
            int len = i == 0 ? 0 : rnd.nextInt(41);
            for (int c = 0; c < len; c++) {
                k.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                        rnd.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            keys.add(k.toString().getBytes(StandardCharsets.UTF_8));
            records.add(record().put("key", k.toString()).put("value", i));
        }
        JsonNode offsets = api.produce(t, "", batch(records));
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(kafkaPartition(keys.get(i), partitions), offsets.get(i).get("partition").asInt(),
                    "key " + new String(keys.get(i), StandardCharsets.UTF_8));
        }
        // Binary keys, every length from 0 to 299, any bytes.
        records.clear();
        keys.clear();
        for (int i = 0; i < 300; i++) {
            byte[] key = new byte[i];
            rnd.nextBytes(key);
            keys.add(key);
            records.add(record().put("key", b64(key)).put("value", i));
        }
        offsets = api.produce(t, "?keyFormat=binary", batch(records));
        for (int i = 0; i < keys.size(); i++) {
            assertEquals(kafkaPartition(keys.get(i), partitions), offsets.get(i).get("partition").asInt(),
                    "binary key of length " + i);
        }
        // The same key lands on the same partition every time; an explicit partition wins over the key.
        JsonNode again = api.produce(t, "", "{\"records\":[{\"key\":\"user-42\",\"value\":1},{\"key\":\"user-42\","
                + "\"value\":2},{\"key\":\"user-42\",\"value\":3,\"partition\":"
                + ((kafkaPartition("user-42".getBytes(StandardCharsets.UTF_8), partitions) + 1) % partitions) + "}]}");
        int expected = kafkaPartition("user-42".getBytes(StandardCharsets.UTF_8), partitions);
        assertEquals(expected, again.get(0).get("partition").asInt());
        assertEquals(expected, again.get(1).get("partition").asInt());
        assertEquals((expected + 1) % partitions, again.get(2).get("partition").asInt());
    }

    @Test
    void keylessRecordsGoRoundRobin() {
        String t = topic("round-robin", 4);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            records.add(record().put("value", i));
        }
        JsonNode offsets = api.produce(t, "", batch(records));
        int first = offsets.get(0).get("partition").asInt();
        int[] count = new int[4];
        for (int i = 0; i < 400; i++) {
            int p = offsets.get(i).get("partition").asInt();
            assertEquals((first + i) % 4, p, "record " + i + " takes the next partition");
            count[p]++;
        }
        for (int c : count) {
            assertEquals(100, c);
        }
        // Across requests too: ten requests of seven keyless records spread within one of even.
        for (int r = 0; r < 10; r++) {
            JsonNode o = api.produce(t, "", batch(records.subList(0, 7)));
            o.forEach(x -> count[x.get("partition").asInt()]++);
        }
        List<Long> ends = api.logEndOffsets(t);
        long min = ends.stream().mapToLong(Long::longValue).min().orElseThrow();
        long max = ends.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertEquals(470, ends.stream().mapToLong(Long::longValue).sum());
        assertTrue(max - min <= 1, "uneven spread " + ends);
        for (int p = 0; p < 4; p++) {
            assertEquals(count[p], ends.get(p));
        }
    }

    @Test
    void customPartitionerChosenPerRequest() {
        String t = topic("custom-request", 4);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            records.add(record().put("key", "k-" + i).put("value", "v".repeat(i)));
        }
        JsonNode byLength = api.produce(t, "?format=string&partitioner=" + ValueLengthPartitioner.NAME,
                batch(records));
        JsonNode byKey = api.produce(t, "?format=string", batch(records));
        boolean differs = false;
        for (int i = 0; i < 24; i++) {
            assertEquals(i % 4, byLength.get(i).get("partition").asInt(), "value length " + i);
            int kafka = kafkaPartition(("k-" + i).getBytes(StandardCharsets.UTF_8), 4);
            assertEquals(kafka, byKey.get(i).get("partition").asInt(), "without a partitioner, key k-" + i);
            differs |= kafka != i % 4;
        }
        assertTrue(differs, "the keys must tell the custom partitioner from murmur2");
        JsonNode first = api.produce(t, "?partitioner=" + FirstPartitionPartitioner.NAME,
                "{\"records\":[{\"key\":\"a\",\"value\":1},{\"value\":2},"
                        + "{\"key\":\"b\",\"value\":3,\"partition\":3}]}");
        assertEquals(0, first.get(0).get("partition").asInt());
        assertEquals(0, first.get(1).get("partition").asInt());
        assertEquals(3, first.get(2).get("partition").asInt(), "an explicit partition wins over the partitioner");
    }

    @Test
    void customPartitionerChosenByTopicConfig() {
        String t = topic("custom-config", 3, Map.of("partitioner", ValueLengthPartitioner.NAME));
        assertEquals(ValueLengthPartitioner.NAME, api.describe(t).get("config").get("partitioner").asText());
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            records.add(record().put("key", "k-" + i).put("value", "x".repeat(i)));
        }
        JsonNode offsets = api.produce(t, "?format=string", batch(records));
        for (int i = 0; i < 12; i++) {
            assertEquals(i % 3, offsets.get(i).get("partition").asInt(), "value length " + i);
        }
        // A request's partitioner overrides the topic's.
        JsonNode first = api.produce(t, "?format=string&partitioner=first", batch(records.subList(0, 5)));
        first.forEach(o -> assertEquals(0, o.get("partition").asInt()));
        // Removing the override brings back murmur2.
        api.patch("/topics/" + t + "/config", "{\"partitioner\":null}");
        JsonNode byKey = api.produce(t, "?format=string", batch(records));
        for (int i = 0; i < 12; i++) {
            assertEquals(kafkaPartition(("k-" + i).getBytes(StandardCharsets.UTF_8), 3),
                    byKey.get(i).get("partition").asInt());
        }
    }

    @Test
    void unknownPartitionerIsABadRequest() {
        String t = topic("custom-unknown", 2);
        HttpApi.Reply r = api.post("/topics/" + t + "/records?partitioner=no-such", "{\"records\":[{\"value\":1}]}");
        assertEquals(400, r.status());
        assertEquals("UNKNOWN_PARTITIONER", r.json().get("code").asText());
        HttpApi.Reply create = api.post("/topics", "{\"name\":\"pf-never-" + RUN + "\",\"partitions\":1,"
                + "\"config\":{\"partitioner\":\"no-such\"}}");
        assertEquals(400, create.status());
        assertEquals("UNKNOWN_PARTITIONER", create.json().get("code").asText());
        assertEquals(List.of(0L, 0L), api.logEndOffsets(t));
    }

    // ---- acks ------------------------------------------------------------------------------------

    @Test
    void acksZeroRepliesWithoutOffsetsAndStillWrites() {
        String t = topic("acks0", 2);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(record().put("value", i).put("partition", i % 2));
        }
        JsonNode offsets = api.produce(t, "?acks=0", batch(records));
        for (int i = 0; i < 10; i++) {
            assertEquals(i % 2, offsets.get(i).get("partition").asInt());
            assertEquals(-1, offsets.get(i).get("offset").asLong());
        }
        Wait.upTo(10).until(() -> api.logEndOffsets(t).equals(List.of(5L, 5L)));
        Wait.upTo(10)
                .until(() -> api.fetch(t, 1, "?offset=0").get("records").size() == 5);
        JsonNode r = api.fetch(t, 1, "?offset=0").get("records");
        for (int k = 0; k < 5; k++) {
            assertEquals(2 * k + 1, r.get(k).get("value").asInt());
        }
    }

    @Test
    void acksOneAllAndDefaultReplyWithOffsets() {
        String t = topic("acks", 1);
        long expected = 0;
        for (String acks : new String[] {"?acks=1", "?acks=all", "?acks=-1", ""}) {
            JsonNode offsets = api.produce(t, acks, "{\"records\":[{\"value\":1},{\"value\":2},{\"value\":3}]}");
            for (JsonNode o : offsets) {
                assertEquals(expected++, o.get("offset").asLong(), acks);
            }
            String from = "?offset=" + (expected - 3);
            if (acks.equals("?acks=1")) {
                // Acknowledged once written; readers see it once it is durable (the high watermark).
                Wait.upTo(10).until(() -> api.fetch(t, 0, from).get("records").size() == 3);
            }
            // acks=all is acknowledged after the high watermark passed the batch: readable at once.
            JsonNode fetched = api.fetch(t, 0, from);
            assertEquals(3, fetched.get("records").size(), acks);
            assertEquals(expected, fetched.get("highWatermark").asLong(), acks);
        }
    }

    // ---- fetch -----------------------------------------------------------------------------------

    @Test
    void fetchHonoursMaxRecordsAndReportsNextOffsetAndHighWatermark() {
        String t = topic("max-records", 1);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            records.add(record().put("value", i));
        }
        api.produce(t, "", batch(records));
        JsonNode f = api.fetch(t, 0, "?offset=0&maxRecords=7");
        assertOffsets(f, 0, 7, 7, 50);
        assertOffsets(api.fetch(t, 0, "?offset=7&maxRecords=1"), 7, 1, 8, 50);
        assertOffsets(api.fetch(t, 0, "?offset=20"), 20, 30, 50, 50);
        assertOffsets(api.fetch(t, 0, "?offset=45&maxRecords=100"), 45, 5, 50, 50);
        assertOffsets(api.fetch(t, 0, "?offset=50"), 50, 0, 50, 50);
        assertOffsets(api.fetch(t, 0, "?offset=50&maxRecords=10000"), 50, 0, 50, 50);
    }

    private static void assertOffsets(JsonNode fetched, long from, int count, long nextOffset, long highWatermark) {
        JsonNode r = fetched.get("records");
        assertEquals(count, r.size(), fetched::toString);
        for (int i = 0; i < count; i++) {
            assertEquals(from + i, r.get(i).get("offset").asLong());
            assertEquals(from + i, r.get(i).get("value").asLong(), "value i was written at offset i");
        }
        assertEquals(nextOffset, fetched.get("nextOffset").asLong());
        assertEquals(highWatermark, fetched.get("highWatermark").asLong());
    }

    @Test
    void fetchHonoursMaxBytesButAlwaysReturnsARecord() {
        String t = topic("max-bytes", 1);
        String big = "b".repeat(1000);
        for (int i = 0; i < 20; i++) {
            api.produce(t, "?format=string", "{\"records\":[{\"value\":\"" + big + "\"}]}");
        }
        JsonNode one = api.fetch(t, 0, "?offset=0&maxBytes=1");
        assertEquals(1, one.get("records").size(), "at least one record, even when maxBytes is tiny");
        assertEquals(1, one.get("nextOffset").asLong());
        JsonNode some = api.fetch(t, 0, "?offset=3&maxBytes=3500");
        int n = some.get("records").size();
        assertTrue(n >= 1 && n < 17, "maxBytes=3500 over records of ~1 KB returned " + n);
        assertEquals(3 + n, some.get("nextOffset").asLong());
        assertEquals(20, api.fetch(t, 0, "?offset=0").get("records").size());
        // One batch larger than maxBytes: still at least one record.
        String large = topic("max-bytes-batch", 1);
        List<ObjectNode> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(record().put("value", big));
        }
        api.produce(large, "", batch(records));
        JsonNode fromBatch = api.fetch(large, 0, "?offset=4&maxBytes=1");
        assertTrue(fromBatch.get("records").size() >= 1);
        assertEquals(4, fromBatch.get("records").get(0).get("offset").asLong());
    }

    @Test
    void longPollReturnsAsSoonAsARecordArrives() {
        String t = topic("long-poll", 1);
        api.produce(t, "", "{\"records\":[{\"value\":\"first\"}]}");
        CompletableFuture<HttpApi.Reply> poll = api.sendAsync("GET",
                "/topics/" + t + "/partitions/0/records?offset=1&timeoutMs=5000", null, null);
        // The fetch is parked, not answered empty at once.
        Wait.upTo(2).during(Duration.ofMillis(300)).until(() -> !poll.isDone());
        long start = System.nanoTime();
        api.produce(t, "", "{\"records\":[{\"value\":\"second\"}]}");
        HttpApi.Reply reply = poll.orTimeout(10, TimeUnit.SECONDS).join();
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, reply.status(), reply.body());
        JsonNode r = reply.json().get("records");
        assertEquals(1, r.size());
        assertEquals(1, r.get(0).get("offset").asLong());
        assertEquals("second", r.get(0).get("value").textValue());
        assertEquals(2, reply.json().get("nextOffset").asLong());
        assertTrue(waitedMs < 4500, "the long poll waited " + waitedMs + " ms after the append");
    }

    @Test
    void idleLongPollReturnsEmptyAfterItsTimeout() {
        String t = topic("long-poll-idle", 1);
        long start = System.nanoTime();
        JsonNode f = api.fetch(t, 0, "?offset=0&timeoutMs=1000");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(0, f.get("records").size());
        assertEquals(0, f.get("nextOffset").asLong());
        assertTrue(tookMs >= 900 && tookMs < 4500, "an idle long poll of 1000 ms took " + tookMs + " ms");
    }

    @Test
    void concurrentLongPollsOnOnePartitionAllWake() {
        String t = topic("long-poll-many", 1);
        List<CompletableFuture<HttpApi.Reply>> polls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            polls.add(api.sendAsync("GET", "/topics/" + t + "/partitions/0/records?offset=0&timeoutMs=5000", null,
                    null));
        }
        Wait.upTo(2).during(Duration.ofMillis(200))
                .until(() -> polls.stream().noneMatch(CompletableFuture::isDone));
        api.produce(t, "", "{\"records\":[{\"value\":\"wake\"}]}");
        Map<Integer, Integer> sizes = new HashMap<>();
        for (CompletableFuture<HttpApi.Reply> p : polls) {
            HttpApi.Reply r = p.orTimeout(10, TimeUnit.SECONDS).join();
            sizes.merge(r.json().get("records").size(), 1, Integer::sum);
        }
        assertEquals(Map.of(1, 8), sizes, "every parked fetch returns the record");
    }

    // ---- limits, sizes and metrics -----------------------------------------------------------------

    /**
     * Five million tiny records used to run the heap out after they were all appended, and the
     * 500 that followed made a retrying client write them twice. Now the request is refused whole
     * (413) before anything is written, on the default settings.
     */
    @Test
    void fiveMillionTinyRecordsAreRefusedWholeAndNothingIsStored() {
        String t = topic("five-million", 1);
        int n = 5_000_000;
        StringBuilder body = new StringBuilder(12 * n + 16).append("{\"records\":[");
        for (int i = 0; i < n; i++) {
            body.append(i == 0 ? "{\"value\":1}" : ",{\"value\":1}");
        }
        HttpApi.Reply reply = api.post("/topics/" + t + "/records", body.append("]}").toString());
        assertEquals(413, reply.status(), reply.body());
        assertEquals("REQUEST_TOO_LARGE", reply.json().get("code").asText());
        assertEquals(List.of(0L), api.logEndOffsets(t));
    }

    /** Over HTTP too, a record whose batch is exactly max.message.bytes is taken, one byte more is not. */
    @Test
    void aRecordWhoseBatchIsExactlyMaxMessageBytesIsTaken() {
        long ts = System.currentTimeMillis() - 1000;
        int length = 5000;
        int max = org.apache.kafka.common.record.internal.DefaultRecordBatch.sizeInBytes(List.of(
                new org.apache.kafka.common.record.internal.SimpleRecord(ts, "k".getBytes(StandardCharsets.UTF_8),
                        new byte[length])));
        String t = topic("exact", 1, Map.of("max.message.bytes", Integer.toString(max)));
        String over = "{\"records\":[{\"key\":\"k\",\"value\":\"" + "v".repeat(length + 1) + "\",\"timestamp\":" + ts
                + "}]}";
        HttpApi.Reply refused = api.post("/topics/" + t + "/records?format=string", over);
        assertEquals(413, refused.status(), refused.body());
        assertEquals("RECORD_TOO_LARGE", refused.json().get("code").asText());
        api.produce(t, "?format=string", "{\"records\":[{\"key\":\"k\",\"value\":\"" + "v".repeat(length)
                + "\",\"timestamp\":" + ts + "}]}");
        assertEquals(List.of(1L), api.logEndOffsets(t));
        assertEquals(max, api.describe(t).get("partitionStates").get(0).get("sizeBytes").asLong());
    }

    /** KIP-937: a timestamp ten years ahead would pin its segment past retention; it is refused, by record. */
    @Test
    void aTimestampFarInTheFutureIsRefusedNamingTheRecord() {
        String t = topic("future", 1);
        long future = System.currentTimeMillis() + 10L * 365 * 24 * 3600 * 1000;
        HttpApi.Reply reply = api.post("/topics/" + t + "/records",
                "{\"records\":[{\"value\":1},{\"value\":2,\"timestamp\":" + future + "}]}");
        assertEquals(400, reply.status(), reply.body());
        assertTrue(reply.json().get("detail").asText().startsWith("record 1: timestamp " + future), reply.body());
        assertEquals(List.of(0L), api.logEndOffsets(t));
    }

    /**
     * Request meters carry a description (Prometheus HELP); a long poll's waiting is timed apart
     * from the fetch latency; a deleted topic's meters leave the registry.
     */
    @Test
    void requestMetersAreDescribedSplitAndRemovedWithTheirTopic() {
        String t = topic("meters", 1);
        api.produce(t, "", "{\"records\":[{\"value\":1}]}");
        api.fetch(t, 0, "?offset=0");
        api.fetch(t, 0, "?offset=1&timeoutMs=700");
        String metrics = api.get("/q/metrics").body();
        String tag = "{topic=\"" + t + "\"";
        for (String name : new String[] {"sluice_produce_latency_seconds", "sluice_produce_records",
                "sluice_produce_bytes", "sluice_fetch_latency_seconds", "sluice_fetch_long_poll_seconds",
                "sluice_fetch_records", "sluice_request_memory_used_bytes", "sluice_request_memory_refusals"}) {
            // A counter's HELP names it with or without its _total suffix, depending on the exposition format.
            java.util.regex.Matcher help = java.util.regex.Pattern.compile("# HELP " + name + "(?:_total)? (.*)")
                    .matcher(metrics);
            assertTrue(help.find() && !help.group(1).isBlank(), "HELP of " + name);
        }
        assertEquals(1.0, metric(metrics, "sluice_fetch_long_poll_seconds_count" + tag), metrics);
        assertEquals(1.0, metric(metrics, "sluice_fetch_latency_seconds_count" + tag));
        assertTrue(metric(metrics, "sluice_fetch_long_poll_seconds_max" + tag) >= 0.6);
        assertTrue(metric(metrics, "sluice_fetch_latency_seconds_max" + tag) < 0.6,
                "the fetch latency does not include a long poll's wait");
        api.deleteTopicIfExists(t);
        Wait.upTo(15).until(() -> !api.get("/q/metrics").body().contains(tag));
    }

    private static double metric(String metrics, String nameAndTagsPrefix) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(nameAndTagsPrefix)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }
}
