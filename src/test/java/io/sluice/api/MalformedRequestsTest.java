package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 7 of DESIGN.md, table-driven: every malformed request gets a 4xx problem+json with a
 * stable code, and nothing already stored changes (each fixture topic is described before and
 * after every case, and must be identical: offsets, sizes, config, partition count). A request
 * invalid as a whole (good records plus one bad one) writes nothing.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MalformedRequestsTest {
    private static final String RUN = HttpApi.runId();
    /** Three partitions, two records in each. */
    private static final String MAIN = "malformed-" + RUN;
    /** One partition, one record, max.message.bytes=200. */
    private static final String SMALL = "malformed-small-" + RUN;
    /** Never created. */
    private static final String GHOST = "malformed-ghost-" + RUN;
    private static final List<String> FIXTURES = List.of(MAIN, SMALL);
    private static final String JSON = "application/json";
    private static final String NDJSON = "application/x-ndjson";

    private static Map<String, JsonNode> baseline;
    private static Map<String, List<Long>> baselineEnds;
    private static List<String> baselineTopics;
    private static HttpApi lastApi;

    @TestHTTPResource("/")
    URI base;

    private HttpApi api;

    @BeforeEach
    void fixtures() {
        api = new HttpApi(base);
        lastApi = api;
        if (baseline != null) {
            return;
        }
        System.out.println("MalformedRequestsTest: run id " + RUN);
        api.createTopic(MAIN, 3);
        api.createTopic(SMALL, 1, Map.of("max.message.bytes", "200"));
        for (int p = 0; p < 3; p++) {
            api.produce(MAIN, "", "{\"records\":[{\"key\":\"a\",\"value\":1,\"partition\":" + p
                    + "},{\"value\":\"two\",\"partition\":" + p + "}]}");
        }
        api.produce(SMALL, "", "{\"records\":[{\"value\":\"small\"}]}");
        baseline = snapshot();
        baselineEnds = new LinkedHashMap<>();
        for (String t : FIXTURES) {
            baselineEnds.put(t, api.logEndOffsets(t));
        }
        assertEquals(List.of(2L, 2L, 2L), baselineEnds.get(MAIN));
        assertEquals(List.of(1L), baselineEnds.get(SMALL));
        baselineTopics = topicNames();
    }

    @AfterAll
    static void deleteFixtures() {
        if (lastApi != null) {
            FIXTURES.forEach(lastApi::deleteTopicIfExists);
        }
    }

    /**
     * One malformed request and what it must get. An empty parameter ({@code ?acks=},
     * {@code ?partitioner=}) counts as absent, so it is not among the cases.
     *
     * @param status the expected HTTP status
     * @param code   the expected problem {@code code}
     */
    record Case(String name, String method, String path, String contentType, byte[] body, int status, String code) {
        @Override
        public String toString() {
            return name;
        }
    }

    @Order(1)
    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void isRejectedAndChangesNothing(Case c) {
        // Compared with the state just before, so that one stray write fails its own case only;
        // the last test compares with the state the fixtures were made in.
        Map<String, JsonNode> before = snapshot();
        HttpApi.Reply reply = api.send(c.method(), c.path(), c.contentType(), c.body());
        assertProblem(c, reply);
        Map<String, JsonNode> after = snapshot();
        for (String t : FIXTURES) {
            assertEquals(before.get(t), after.get(t), "a rejected request changed topic " + t);
        }
        if (c.path().equals("/topics")) {
            assertEquals(baselineTopics, topicNames(), "a rejected create left a topic behind");
        }
    }

    @Order(2)
    @Test
    void logEndOffsetsDidNotMoveAfterAllOfThem() {
        assertTrue(cases().count() >= 200, "at least 200 distinct malformed requests");
        assertEquals(cases().count(), cases().map(Case::name).distinct().count(), "case names are distinct");
        for (String t : FIXTURES) {
            assertEquals(baselineEnds.get(t), api.logEndOffsets(t), t);
        }
        assertEquals(baseline, snapshot());
        assertEquals(baselineTopics, topicNames());
        assertEquals(404, api.get("/topics/" + GHOST).status());
    }

    private static void assertProblem(Case c, HttpApi.Reply reply) {
        String where = c.method() + " " + c.path() + " -> " + reply.status() + " " + reply.body();
        assertEquals(c.status(), reply.status(), where);
        assertNotNull(reply.contentType(), where);
        assertTrue(reply.contentType().startsWith(Problem.MEDIA_TYPE), () -> reply.contentType() + ": " + where);
        JsonNode problem = reply.json();
        assertAll(where,
                () -> assertTrue(problem.path("type").isTextual() && !problem.get("type").asText().isBlank(), "type"),
                () -> assertTrue(problem.path("title").isTextual() && !problem.get("title").asText().isBlank(),
                        "title"),
                () -> assertEquals(reply.status(), problem.path("status").asInt(-1), "status"),
                () -> assertTrue(problem.path("detail").isTextual() && !problem.get("detail").asText().isBlank(),
                        "detail"),
                () -> assertEquals(c.code(), problem.path("code").asText(), "code"));
    }

    private Map<String, JsonNode> snapshot() {
        Map<String, JsonNode> described = new LinkedHashMap<>();
        for (String t : FIXTURES) {
            described.put(t, api.describe(t));
        }
        return described;
    }

    private List<String> topicNames() {
        List<String> names = new ArrayList<>();
        api.get("/topics").json().forEach(t -> names.add(t.get("name").asText()));
        return names;
    }

    // ---- the table ------------------------------------------------------------------------------

    static Stream<Case> cases() {
        List<Case> cases = new ArrayList<>();
        badJson(cases);
        wrongFieldTypes(cases);
        badEncodings(cases);
        badProduceParameters(cases);
        unknownTopicsAndPartitions(cases);
        tooLargeAndEmpty(cases);
        invalidAsAWhole(cases);
        timestampsOutOfRange(cases);
        badContentTypesAndNdjson(cases);
        badFetches(cases);
        badCreates(cases);
        badConfigChanges(cases);
        badPartitionChanges(cases);
        badRoutes(cases);
        return cases.stream();
    }

    private static void produce(List<Case> cases, String name, String query, String body, int status, String code) {
        cases.add(new Case("produce " + name, "POST", "/topics/" + MAIN + "/records" + query, JSON, bytes(body),
                status, code));
    }

    private static void invalidProduce(List<Case> cases, String name, String query, String body) {
        produce(cases, name, query, body, 400, "INVALID_REQUEST");
    }

    /** A record body with one record whose fields are {@code fields} (raw JSON text). */
    private static String one(String fields) {
        return "{\"records\":[{" + fields + "}]}";
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void badJson(List<Case> cases) {
        String[][] bodies = {
                {"empty body", ""},
                {"only whitespace", "  \n "},
                {"lone open brace", "{"},
                {"lone close brace", "}"},
                {"array instead of object", "[]"},
                {"array of records at top level", "[{\"value\":1}]"},
                {"null body", "null"},
                {"number body", "42"},
                {"string body", "\"records\""},
                {"boolean body", "true"},
                {"no records field", "{}"},
                {"misspelled records", "{\"record\":[{\"value\":1}]}"},
                {"extra top-level field", "{\"records\":[{\"value\":1}],\"acks\":\"all\"}"},
                {"records is an object", "{\"records\":{\"value\":1}}"},
                {"records is a string", "{\"records\":\"[]\"}"},
                {"records is null", "{\"records\":null}"},
                {"records is a number", "{\"records\":1}"},
                {"array closed by brace", "{\"records\":[}"},
                {"trailing comma in array", "{\"records\":[{\"value\":1},]}"},
                {"trailing comma in record", "{\"records\":[{\"value\":1,}]}"},
                {"double comma", "{\"records\":[{\"value\":1,,\"key\":\"k\"}]}"},
                {"unclosed object", "{\"records\":[{\"value\":1}]"},
                {"unclosed array", "{\"records\":[{\"value\":1}"},
                {"extra close brace", "{\"records\":[{\"value\":1}]}}"},
                {"second object after the request", "{\"records\":[{\"value\":1}]} {}"},
                {"garbage after the request", "{\"records\":[{\"value\":1}]} x"},
                {"unquoted field name", "{records:[{\"value\":1}]}"},
                {"single quotes", "{'records':[{'value':1}]}"},
                {"missing colon", "{\"records\" [{\"value\":1}]}"},
                {"missing value", "{\"records\":[{\"value\":}]}"},
                {"missing comma between records", "{\"records\":[{\"value\":1} {\"value\":2}]}"},
                {"NaN", one("\"value\":NaN")},
                {"Infinity", one("\"value\":Infinity")},
                {"leading zero", one("\"value\":01")},
                {"trailing dot", one("\"value\":1.")},
                {"leading dot", one("\"value\":.5")},
                {"plus sign", one("\"value\":+1")},
                {"hex number", one("\"value\":0x10")},
                {"truncated true", one("\"value\":tru")},
                {"truncated null", one("\"value\":nul")},
                {"capitalized True", one("\"value\":True")},
                {"unterminated string", "{\"records\":[{\"value\":\"abc}]}"},
                {"bad escape", one("\"value\":\"\\x41\"")},
                {"short unicode escape", one("\"value\":\"\\u12\"")},
                {"raw control character in string", one("\"value\":\"a\u0001b\"")},
                {"raw newline in string", one("\"value\":\"a\nb\"")},
                {"block comment", "/* c */ {\"records\":[{\"value\":1}]}"},
                {"line comment", "{\"records\":[{\"value\":1}]} // c"},
                {"record is an array", "{\"records\":[[\"value\",1]]}"},
                {"record is a number", "{\"records\":[1]}"},
                {"record is a string", "{\"records\":[\"x\"]}"},
                {"record is null", "{\"records\":[null]}"},
                {"record is true", "{\"records\":[true]}"},
                {"nested too deep", one("\"value\":" + "[".repeat(1200) + "]".repeat(1200))},
                {"number too long", one("\"value\":1" + "0".repeat(1200))},
                {"NUL byte", "{\"records\":[{\"value\":1}]}\u0000"},
        };
        for (String[] b : bodies) {
            invalidProduce(cases, "bad JSON: " + b[0], "", b[1]);
        }
        byte[] invalidUtf8 = "{\"records\":[{\"value\":\"\u00ff\"}]}".getBytes(StandardCharsets.ISO_8859_1);
        cases.add(new Case("produce bad JSON: invalid UTF-8", "POST", "/topics/" + MAIN + "/records", JSON,
                invalidUtf8, 400, "INVALID_REQUEST"));
        byte[] truncatedUtf8 = "{\"records\":[{\"value\":\"\u00e9".getBytes(StandardCharsets.UTF_8);
        cases.add(new Case("produce bad JSON: truncated in a UTF-8 sequence", "POST", "/topics/" + MAIN + "/records",
                JSON, java.util.Arrays.copyOf(truncatedUtf8, truncatedUtf8.length - 1), 400, "INVALID_REQUEST"));
    }

    private static void wrongFieldTypes(List<Case> cases) {
        String[][] notAString = {{"number", "1"}, {"float", "1.5"}, {"true", "true"}, {"false", "false"},
                {"object", "{}"}, {"object with fields", "{\"a\":\"b\"}"}, {"array", "[]"}, {"array of strings",
                "[\"a\"]"}};
        for (String[] v : notAString) {
            invalidProduce(cases, "key (string) is " + v[0], "", one("\"key\":" + v[1] + ",\"value\":1"));
            invalidProduce(cases, "value (format=string) is " + v[0], "?format=string", one("\"value\":" + v[1]));
            invalidProduce(cases, "value (format=binary) is " + v[0], "?format=binary", one("\"value\":" + v[1]));
            invalidProduce(cases, "key (keyFormat=binary) is " + v[0], "?keyFormat=binary",
                    one("\"key\":" + v[1] + ",\"value\":1"));
        }
        String[][] headers = {{"a string", "\"h\""}, {"a number", "1"}, {"an array", "[]"}, {"true", "true"},
                {"an array of pairs", "[[\"h\",\"v\"]]"}, {"a number value", "{\"h\":1}"},
                {"an object value", "{\"h\":{}}"}, {"an array value", "{\"h\":[\"v\"]}"},
                {"a boolean value", "{\"h\":true}"}, {"a float value", "{\"h\":1.5}"}};
        for (String[] h : headers) {
            invalidProduce(cases, "headers is " + h[0], "", one("\"value\":1,\"headers\":" + h[1]));
        }
        String[][] partitions = {{"a string", "\"1\""}, {"a float", "1.5"}, {"1.0", "1.0"}, {"1e0", "1e0"},
                {"negative", "-1"}, {"Integer.MIN_VALUE", "-2147483648"}, {"2^31", "2147483648"},
                {"a big integer", "99999999999999999999"}, {"true", "true"}, {"null", "null"}, {"an object", "{}"},
                {"an array", "[0]"}};
        for (String[] p : partitions) {
            invalidProduce(cases, "partition is " + p[0], "", one("\"value\":1,\"partition\":" + p[1]));
        }
        String[][] timestamps = {{"a string", "\"1764000000000\""}, {"a float", "1.5"}, {"1e3", "1e3"},
                {"negative", "-1"}, {"Long.MIN_VALUE", "-9223372036854775808"},
                {"a big integer", "99999999999999999999"}, {"true", "true"}, {"null", "null"}, {"an object", "{}"},
                {"an array", "[1]"}};
        for (String[] t : timestamps) {
            invalidProduce(cases, "timestamp is " + t[0], "", one("\"value\":1,\"timestamp\":" + t[1]));
        }
        invalidProduce(cases, "id is an object", "", one("\"value\":1,\"id\":{}"));
        invalidProduce(cases, "id is an array", "", one("\"value\":1,\"id\":[1]"));
        for (String field : new String[] {"Key", "values", "offset", "topic", "partitions", "header", ""}) {
            invalidProduce(cases, "unknown record field '" + field + "'", "", one("\"value\":1,\"" + field + "\":1"));
        }
    }

    private static void badEncodings(List<Case> cases) {
        String[] badBase64 = {"!!!!", "a", "ab=c", "YW Jj", "YWJj====", "-_-_", "Zm9v\\n", "\u20ac", "====", "Zg=",
                "Zg==Zg=="};
        for (String b : badBase64) {
            String shown = b.replace("\\n", "\\\\n");
            invalidProduce(cases, "value (format=binary) base64 '" + shown + "'", "?format=binary",
                    one("\"value\":\"" + b + "\""));
        }
        for (String b : new String[] {"!!!!", "a", "Zg=", "-_-_"}) {
            invalidProduce(cases, "key (keyFormat=binary) base64 '" + b + "'", "?keyFormat=binary",
                    one("\"key\":\"" + b + "\",\"value\":1"));
            invalidProduce(cases, "header (format=binary) base64 '" + b + "'", "?format=binary",
                    one("\"value\":\"AA==\",\"headers\":{\"h\":\"" + b + "\"}"));
        }
        invalidProduce(cases, "binary key given as json with keyFormat=binary", "?keyFormat=binary",
                one("\"key\":{\"k\":\"AA==\"},\"value\":1"));
    }

    private static void badProduceParameters(List<Case> cases) {
        String ok = one("\"value\":1");
        for (String f : new String[] {"xml", "bin", "base64", "text", "avro", "json%20", "1"}) {
            invalidProduce(cases, "format=" + f, "?format=" + f, ok);
        }
        for (String f : new String[] {"xml", "int", "utf8", "bytes"}) {
            invalidProduce(cases, "keyFormat=" + f, "?keyFormat=" + f, ok);
        }
        for (String a : new String[] {"2", "-2", "ALL", "one", "%20", "all%20", "1.0", "none"}) {
            invalidProduce(cases, "acks='" + a + "'", "?acks=" + a, ok);
        }
        for (String p : new String[] {"nope", "%20", "murmur2", "FIRST"}) {
            produce(cases, "partitioner='" + p + "'", "?partitioner=" + p, ok, 400, "UNKNOWN_PARTITIONER");
        }
    }

    private static void unknownTopicsAndPartitions(List<Case> cases) {
        String ok = one("\"value\":1");
        cases.add(new Case("produce to an unknown topic", "POST", "/topics/" + GHOST + "/records", JSON, bytes(ok),
                404, "TOPIC_NOT_FOUND"));
        cases.add(new Case("produce to an unknown topic with a bad body", "POST", "/topics/" + GHOST + "/records",
                JSON, bytes("{"), 404, "TOPIC_NOT_FOUND"));
        cases.add(new Case("produce to a topic with an illegal name", "POST", "/topics/a%20b/records", JSON, bytes(ok),
                404, "TOPIC_NOT_FOUND"));
        cases.add(new Case("describe an unknown topic", "GET", "/topics/" + GHOST, null, null, 404,
                "TOPIC_NOT_FOUND"));
        cases.add(new Case("delete an unknown topic", "DELETE", "/topics/" + GHOST, null, null, 404,
                "TOPIC_NOT_FOUND"));
        cases.add(new Case("fetch from an unknown topic", "GET", "/topics/" + GHOST + "/partitions/0/records?offset=0",
                null, null, 404, "TOPIC_NOT_FOUND"));
        for (int p : new int[] {3, 4, 1000, Integer.MAX_VALUE}) {
            produce(cases, "explicit partition " + p + " of 3", "", one("\"value\":1,\"partition\":" + p), 404,
                    "PARTITION_NOT_FOUND");
        }
    }

    private static void tooLargeAndEmpty(List<Case> cases) {
        String small = "/topics/" + SMALL + "/records";
        String big = "x".repeat(300);
        cases.add(new Case("produce a value over max.message.bytes", "POST", small, JSON,
                bytes(one("\"value\":\"" + big + "\"")), 413, "RECORD_TOO_LARGE"));
        cases.add(new Case("produce a key over max.message.bytes", "POST", small, JSON,
                bytes(one("\"key\":\"" + big + "\",\"value\":1")), 413, "RECORD_TOO_LARGE"));
        cases.add(new Case("produce a header over max.message.bytes", "POST", small, JSON,
                bytes(one("\"value\":1,\"headers\":{\"h\":\"" + big + "\"}")), 413, "RECORD_TOO_LARGE"));
        cases.add(new Case("produce a binary value over max.message.bytes", "POST", small + "?format=binary", JSON,
                bytes(one("\"value\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[400]) + "\"")),
                413, "RECORD_TOO_LARGE"));
        cases.add(new Case("produce an oversize record with acks=0", "POST", small + "?acks=0", JSON,
                bytes(one("\"value\":\"" + big + "\"")), 413, "RECORD_TOO_LARGE"));
        cases.add(new Case("produce an oversize NDJSON line", "POST", small, NDJSON,
                bytes("{\"value\":1}\n{\"value\":\"" + big + "\"}\n"), 413, "RECORD_TOO_LARGE"));
        invalidProduce(cases, "empty records array", "", "{\"records\":[]}");
        invalidProduce(cases, "empty records array with acks=0", "?acks=0", "{\"records\":[]}");
        cases.add(new Case("produce empty NDJSON", "POST", "/topics/" + MAIN + "/records", NDJSON, bytes(""), 400,
                "INVALID_REQUEST"));
        cases.add(new Case("produce NDJSON of blank lines", "POST", "/topics/" + MAIN + "/records", NDJSON,
                bytes("\n\n \n"), 400, "INVALID_REQUEST"));
        cases.add(new Case("produce with no body and no content type", "POST", "/topics/" + MAIN + "/records", null,
                null, 400, "INVALID_REQUEST"));
    }

    /** KIP-937: timestamps more than message.timestamp.after.max.ms (default one hour) ahead. */
    private static void timestampsOutOfRange(List<Case> cases) {
        long tenYears = 10L * 365 * 24 * 3600 * 1000;
        long far = System.currentTimeMillis() + tenYears;
        invalidProduce(cases, "a timestamp ten years ahead", "", one("\"value\":1,\"timestamp\":" + far));
        invalidProduce(cases, "a timestamp at Long.MAX_VALUE", "", one("\"value\":1,\"timestamp\":" + Long.MAX_VALUE));
        invalidProduce(cases, "a timestamp ten years ahead with acks=0", "?acks=0",
                one("\"value\":1,\"timestamp\":" + far));
        invalidProduce(cases, "3 good records then one ten years ahead", "", "{\"records\":[{\"value\":1},{\"value\":2,"
                + "\"partition\":1},{\"value\":3},{\"value\":4,\"timestamp\":" + far + "}]}");
    }

    /** Three good records and a bad one, in several positions: the whole request must be refused. */
    private static void invalidAsAWhole(List<Case> cases) {
        String good = "{\"key\":\"k\",\"value\":{\"n\":1}},{\"value\":\"v\",\"partition\":1},{\"value\":2,"
                + "\"partition\":2}";
        String[][] bad = {{"unknown partition", "{\"value\":1,\"partition\":3}", "404", "PARTITION_NOT_FOUND"},
                {"negative partition", "{\"value\":1,\"partition\":-1}", "400", "INVALID_REQUEST"},
                {"string key", "{\"key\":5,\"value\":1}", "400", "INVALID_REQUEST"},
                {"unknown field", "{\"value\":1,\"x\":1}", "400", "INVALID_REQUEST"},
                {"bad timestamp", "{\"value\":1,\"timestamp\":\"now\"}", "400", "INVALID_REQUEST"},
                {"not an object", "7", "400", "INVALID_REQUEST"}};
        for (String[] b : bad) {
            int status = Integer.parseInt(b[2]);
            produce(cases, "3 good records then a bad one (" + b[0] + ")", "",
                    "{\"records\":[" + good + "," + b[1] + "]}", status, b[3]);
            produce(cases, "a bad record (" + b[0] + ") then 3 good ones", "",
                    "{\"records\":[" + b[1] + "," + good + "]}", status, b[3]);
        }
        produce(cases, "3 good binary records then bad base64", "?format=binary",
                "{\"records\":[{\"value\":\"AA==\"},{\"value\":\"AQ==\",\"partition\":1},{\"value\":null},"
                        + "{\"value\":\"@@\"}]}", 400, "INVALID_REQUEST");
        String ok = "{\"value\":\"ok\"},{\"value\":\"ok\"},{\"value\":\"ok\"}";
        cases.add(new Case("3 good records then an oversize one", "POST", "/topics/" + SMALL + "/records", JSON,
                bytes("{\"records\":[" + ok + ",{\"value\":\"" + "y".repeat(500) + "\"}]}"), 413,
                "RECORD_TOO_LARGE"));
        cases.add(new Case("3 good NDJSON lines then a malformed one", "POST", "/topics/" + MAIN + "/records", NDJSON,
                bytes("{\"value\":1}\n{\"value\":2}\n{\"value\":3}\n{\"value\":\n"), 400, "INVALID_REQUEST"));
        cases.add(new Case("3 good NDJSON lines then one for a missing partition", "POST",
                "/topics/" + MAIN + "/records", NDJSON,
                bytes("{\"value\":1}\n{\"value\":2}\n{\"value\":3}\n{\"value\":4,\"partition\":9}\n"), 404,
                "PARTITION_NOT_FOUND"));
    }

    private static void badContentTypesAndNdjson(List<Case> cases) {
        String ok = one("\"value\":1");
        for (String type : new String[] {"text/plain", "application/xml", "application/octet-stream",
                "text/csv", "application/x-www-form-urlencoded", "image/png", "application/jsonl",
                "application/json-seq", "application/x-ndjsonx", "text/json"}) {
            cases.add(new Case("produce as " + type, "POST", "/topics/" + MAIN + "/records", type, bytes(ok), 415,
                    "UNSUPPORTED_MEDIA_TYPE"));
        }
        String[][] ndjson = {{"a malformed line", "{\"value\":1}\n{bad}\n"},
                {"an array line", "{\"value\":1}\n[1]\n"},
                {"a string line", "{\"value\":1}\n\"x\"\n"},
                {"a number line", "{\"value\":1}\n5\n"},
                {"a null line", "{\"value\":1}\nnull\n"},
                {"an unknown field", "{\"value\":1}\n{\"value\":1,\"nope\":2}\n"},
                {"the JSON batch form", "{\"records\":[{\"value\":1}]}\n"},
                {"a truncated last line", "{\"value\":1}\n{\"value\":\n"},
                {"an unclosed object", "{\"value\":1\n"},
                {"a key of the wrong type", "{\"key\":[],\"value\":1}\n"}};
        for (String[] n : ndjson) {
            cases.add(new Case("NDJSON with " + n[0], "POST", "/topics/" + MAIN + "/records", NDJSON, bytes(n[1]),
                    400, "INVALID_REQUEST"));
        }
        cases.add(new Case("NDJSON with bad base64 (format=binary)", "POST", "/topics/" + MAIN
                + "/records?format=binary", NDJSON, bytes("{\"value\":\"AA==\"}\n{\"value\":\"%%\"}\n"), 400,
                "INVALID_REQUEST"));
    }

    private static void badFetches(List<Case> cases) {
        String records = "/topics/" + MAIN + "/partitions/";
        String[][] partitions = {{"-1", "400", "INVALID_REQUEST"}, {"abc", "400", "INVALID_REQUEST"},
                {"1.5", "400", "INVALID_REQUEST"}, {"2147483648", "400", "INVALID_REQUEST"},
                {"0x1", "400", "INVALID_REQUEST"}, {"3", "404", "PARTITION_NOT_FOUND"},
                {"99", "404", "PARTITION_NOT_FOUND"}, {"2147483647", "404", "PARTITION_NOT_FOUND"}};
        for (String[] p : partitions) {
            cases.add(new Case("fetch partition " + p[0], "GET", records + p[0] + "/records?offset=0", null, null,
                    Integer.parseInt(p[1]), p[2]));
        }
        String[][] queries = {{"no offset", "", "400", "INVALID_OFFSET"},
                {"empty offset", "?offset=", "400", "INVALID_OFFSET"},
                {"offset -1", "?offset=-1", "400", "INVALID_OFFSET"},
                {"offset abc", "?offset=abc", "400", "INVALID_OFFSET"},
                {"offset 1.5", "?offset=1.5", "400", "INVALID_OFFSET"},
                {"offset 1e3", "?offset=1e3", "400", "INVALID_OFFSET"},
                {"offset beyond Long.MAX_VALUE", "?offset=99999999999999999999", "400", "INVALID_OFFSET"},
                {"offset Long.MAX_VALUE", "?offset=9223372036854775807", "416", "OFFSET_OUT_OF_RANGE"},
                {"offset past the log end", "?offset=3", "416", "OFFSET_OUT_OF_RANGE"},
                {"offset far past the log end with a long poll", "?offset=1000&timeoutMs=5000", "416",
                        "OFFSET_OUT_OF_RANGE"},
                {"maxRecords 0", "?offset=0&maxRecords=0", "400", "INVALID_REQUEST"},
                {"maxRecords -1", "?offset=0&maxRecords=-1", "400", "INVALID_REQUEST"},
                {"maxRecords abc", "?offset=0&maxRecords=abc", "400", "INVALID_REQUEST"},
                {"maxRecords 1.5", "?offset=0&maxRecords=1.5", "400", "INVALID_REQUEST"},
                {"maxRecords over the limit", "?offset=0&maxRecords=10001", "400", "INVALID_REQUEST"},
                {"maxRecords huge", "?offset=0&maxRecords=99999999999999999999", "400", "INVALID_REQUEST"},
                {"maxBytes 0", "?offset=0&maxBytes=0", "400", "INVALID_REQUEST"},
                {"maxBytes -1", "?offset=0&maxBytes=-1", "400", "INVALID_REQUEST"},
                {"maxBytes abc", "?offset=0&maxBytes=abc", "400", "INVALID_REQUEST"},
                {"maxBytes 1e6", "?offset=0&maxBytes=1e6", "400", "INVALID_REQUEST"},
                {"maxBytes over the limit", "?offset=0&maxBytes=67108865", "400", "INVALID_REQUEST"},
                {"maxBytes huge", "?offset=0&maxBytes=9223372036854775808", "400", "INVALID_REQUEST"},
                {"timeoutMs -1", "?offset=0&timeoutMs=-1", "400", "INVALID_REQUEST"},
                {"timeoutMs abc", "?offset=0&timeoutMs=abc", "400", "INVALID_REQUEST"},
                {"timeoutMs 1.5", "?offset=0&timeoutMs=1.5", "400", "INVALID_REQUEST"},
                {"timeoutMs over the limit", "?offset=2&timeoutMs=60001", "400", "INVALID_REQUEST"},
                {"timeoutMs huge", "?offset=2&timeoutMs=99999999999999", "400", "INVALID_REQUEST"},
                {"format xml", "?offset=0&format=xml", "400", "INVALID_REQUEST"},
                {"keyFormat xml", "?offset=0&keyFormat=xml", "400", "INVALID_REQUEST"},
                {"a bad parameter on a long poll", "?offset=2&timeoutMs=5000&maxBytes=0", "400", "INVALID_REQUEST"}};
        for (String[] q : queries) {
            cases.add(new Case("fetch with " + q[0], "GET", records + "0/records" + q[1], null, null,
                    Integer.parseInt(q[2]), q[3]));
        }
    }

    private static void create(List<Case> cases, String name, String body, int status, String code) {
        cases.add(new Case("create " + name, "POST", "/topics", JSON, bytes(body), status, code));
    }

    private static String topic(String name, String partitions, String config) {
        return "{\"name\":" + name + ",\"partitions\":" + partitions + ",\"replicationFactor\":1"
                + (config == null ? "" : ",\"config\":" + config) + "}";
    }

    private static void badCreates(List<Case> cases) {
        create(cases, "with an empty body", "", 400, "INVALID_REQUEST");
        create(cases, "with malformed JSON", "{\"name\":", 400, "INVALID_REQUEST");
        create(cases, "with an array body", "[]", 400, "INVALID_REQUEST");
        create(cases, "with a null body", "null", 400, "INVALID_REQUEST");
        create(cases, "with an unknown field", "{\"name\":\"c-unknown-" + RUN + "\",\"partitions\":1,\"retention\":1}",
                400, "INVALID_REQUEST");
        create(cases, "an existing topic", topic("\"" + MAIN + "\"", "3", null), 409, "TOPIC_ALREADY_EXISTS");
        create(cases, "an existing topic with other settings",
                topic("\"" + SMALL + "\"", "5", "{\"retention.ms\":\"1\"}"), 409, "TOPIC_ALREADY_EXISTS");
        String[][] names = {{"with no name", null}, {"with a null name", "null"}, {"with a numeric name", "7"},
                {"with an object name", "{}"}, {"with an empty name", "\"\""}, {"named .", "\".\""},
                {"named ..", "\"..\""}, {"with a 250-character name", "\"" + "n".repeat(250) + "\""},
                {"with a 1000-character name", "\"" + "n".repeat(1000) + "\""},
                {"with a space", "\"a b\""}, {"with a slash", "\"a/b\""}, {"with a backslash", "\"a\\\\b\""},
                {"with a colon", "\"a:b\""}, {"with a star", "\"a*b\""}, {"with a hash", "\"a#b\""},
                {"with a question mark", "\"a?b\""}, {"with a percent", "\"a%b\""}, {"with a comma", "\"a,b\""},
                {"with a plus", "\"a+b\""}, {"with an at", "\"a@b\""}, {"with a quote", "\"a\\\"b\""},
                {"with a non-ASCII letter", "\"caf\u00e9\""}, {"with an emoji", "\"a\ud83d\ude00\""},
                {"with a NUL", "\"a\\u0000b\""}, {"with a newline", "\"a\\nb\""}, {"with a tab", "\"a\\tb\""},
                {"with a leading space", "\" ab\""}};
        for (String[] n : names) {
            String body = n[1] == null ? "{\"partitions\":1}" : topic(n[1], "1", null);
            create(cases, n[0], body, 400, "INVALID_TOPIC");
        }
        String fresh = "\"c-never-" + RUN + "\"";
        String[][] partitions = {{"0", "INVALID_PARTITIONS"}, {"-1", "INVALID_PARTITIONS"},
                {"10001", "INVALID_PARTITIONS"}, {"\"3\"", "INVALID_REQUEST"}, {"3.5", "INVALID_REQUEST"},
                {"3.0", "INVALID_REQUEST"}, {"1e1", "INVALID_REQUEST"}, {"true", "INVALID_REQUEST"},
                {"{}", "INVALID_REQUEST"}, {"[3]", "INVALID_REQUEST"}, {"2147483648", "INVALID_REQUEST"}};
        for (String[] p : partitions) {
            create(cases, "with partitions " + p[0], topic(fresh, p[0], null), 400, p[1]);
        }
        for (String rf : new String[] {"0", "-1", "2", "3", "\"1\"", "1.5"}) {
            create(cases, "with replicationFactor " + rf, "{\"name\":" + fresh + ",\"partitions\":1,"
                    + "\"replicationFactor\":" + rf + "}", 400, "INVALID_REQUEST");
        }
        String[][] configs = {{"a string config", "\"retention.ms=1\"", "INVALID_CONFIG"},
                {"an array config", "[]", "INVALID_CONFIG"},
                {"an unknown key", "{\"nope\":\"1\"}", "INVALID_CONFIG"},
                {"an upper-case key", "{\"RETENTION.MS\":\"1\"}", "INVALID_CONFIG"},
                {"an empty key", "{\"\":\"1\"}", "INVALID_CONFIG"},
                {"a Kafka key Sluice does not have", "{\"compression.type\":\"zstd\"}", "INVALID_CONFIG"},
                {"non-numeric retention.ms", "{\"retention.ms\":\"abc\"}", "INVALID_CONFIG"},
                {"fractional retention.ms", "{\"retention.ms\":1.5}", "INVALID_CONFIG"},
                {"retention.ms -2", "{\"retention.ms\":\"-2\"}", "INVALID_CONFIG"},
                {"retention.ms over Long.MAX_VALUE", "{\"retention.ms\":\"9223372036854775808\"}", "INVALID_CONFIG"},
                {"retention.ms as an object", "{\"retention.ms\":{}}", "INVALID_CONFIG"},
                {"retention.ms as an array", "{\"retention.ms\":[1]}", "INVALID_CONFIG"},
                {"retention.ms null", "{\"retention.ms\":null}", "INVALID_CONFIG"},
                {"retention.bytes 1.0", "{\"retention.bytes\":\"1.0\"}", "INVALID_CONFIG"},
                {"local.retention.ms -3", "{\"local.retention.ms\":\"-3\"}", "INVALID_CONFIG"},
                {"segment.bytes 13", "{\"segment.bytes\":\"13\"}", "INVALID_CONFIG"},
                {"segment.bytes 0", "{\"segment.bytes\":0}", "INVALID_CONFIG"},
                {"segment.bytes over Integer.MAX_VALUE", "{\"segment.bytes\":\"2147483648\"}", "INVALID_CONFIG"},
                {"segment.ms 0", "{\"segment.ms\":\"0\"}", "INVALID_CONFIG"},
                {"min.insync.replicas 2 > replicationFactor 1", "{\"min.insync.replicas\":\"2\"}", "INVALID_CONFIG"},
                {"min.insync.replicas 0", "{\"min.insync.replicas\":\"0\"}", "INVALID_CONFIG"},
                {"max.message.bytes -1", "{\"max.message.bytes\":\"-1\"}", "INVALID_CONFIG"},
                {"max.message.bytes x", "{\"max.message.bytes\":\"x\"}", "INVALID_CONFIG"},
                {"remote.storage.enable yes", "{\"remote.storage.enable\":\"yes\"}", "INVALID_CONFIG"},
                {"remote.storage.enable 1", "{\"remote.storage.enable\":1}", "INVALID_CONFIG"},
                {"message.timestamp.after.max.ms -1", "{\"message.timestamp.after.max.ms\":\"-1\"}", "INVALID_CONFIG"},
                {"message.timestamp.before.max.ms soon", "{\"message.timestamp.before.max.ms\":\"soon\"}",
                        "INVALID_CONFIG"},
                {"an unknown partitioner", "{\"partitioner\":\"nope\"}", "UNKNOWN_PARTITIONER"},
                {"an empty partitioner", "{\"partitioner\":\"\"}", "UNKNOWN_PARTITIONER"},
                {"a good key and a bad one", "{\"retention.ms\":\"1000\",\"segment.bytes\":\"1\"}", "INVALID_CONFIG"}};
        for (String[] c : configs) {
            create(cases, "with " + c[0], topic(fresh, "1", c[1]), 400, c[2]);
        }
    }

    private static void badConfigChanges(List<Case> cases) {
        String path = "/topics/" + MAIN + "/config";
        String[][] patches = {{"an empty body", "", "INVALID_REQUEST"},
                {"malformed JSON", "{\"retention.ms\":", "INVALID_REQUEST"},
                {"an array body", "[]", "INVALID_REQUEST"},
                {"a string body", "\"retention.ms\"", "INVALID_REQUEST"},
                {"an unknown key", "{\"nope\":\"1\"}", "INVALID_CONFIG"},
                {"removing an unknown key", "{\"nope\":null}", "INVALID_CONFIG"},
                {"non-numeric retention.ms", "{\"retention.ms\":\"abc\"}", "INVALID_CONFIG"},
                {"retention.ms as an object", "{\"retention.ms\":{}}", "INVALID_CONFIG"},
                {"retention.ms as an array", "{\"retention.ms\":[]}", "INVALID_CONFIG"},
                {"retention.ms -5", "{\"retention.ms\":-5}", "INVALID_CONFIG"},
                {"segment.bytes 1", "{\"segment.bytes\":\"1\"}", "INVALID_CONFIG"},
                {"min.insync.replicas 2", "{\"min.insync.replicas\":\"2\"}", "INVALID_CONFIG"},
                {"an unknown partitioner", "{\"partitioner\":\"nope\"}", "UNKNOWN_PARTITIONER"},
                {"remote.storage.enable maybe", "{\"remote.storage.enable\":\"maybe\"}", "INVALID_CONFIG"},
                {"a config that is a string", "{\"config\":\"x\"}", "INVALID_CONFIG"},
                {"a config with an unknown key", "{\"config\":{\"nope\":1}}", "INVALID_CONFIG"},
                {"a good change and a bad one", "{\"retention.ms\":\"1000\",\"max.message.bytes\":\"x\"}",
                        "INVALID_CONFIG"},
                {"a removal and a bad change", "{\"retention.ms\":null,\"segment.ms\":\"0\"}", "INVALID_CONFIG"}};
        for (String[] p : patches) {
            cases.add(new Case("change config with " + p[0], "PATCH", path, JSON, bytes(p[1]), 400, p[2]));
        }
        cases.add(new Case("change config of an unknown topic", "PATCH", "/topics/" + GHOST + "/config", JSON,
                bytes("{\"retention.ms\":\"1000\"}"), 404, "TOPIC_NOT_FOUND"));
    }

    /**
     * The framework's own refusals (no such route, wrong method) are problem+json too. Where two
     * resource classes share a path prefix, the framework answers a wrong method with 404, not 405.
     */
    private static void badRoutes(List<Case> cases) {
        cases.add(new Case("GET on the produce route", "GET", "/topics/" + MAIN + "/records", null, null, 404,
                "NOT_FOUND"));
        cases.add(new Case("PUT a topic", "PUT", "/topics/" + MAIN, JSON, bytes("{\"partitions\":4}"), 405,
                "INVALID_REQUEST"));
        cases.add(new Case("DELETE the topic list", "DELETE", "/topics", null, null, 405, "INVALID_REQUEST"));
        cases.add(new Case("POST to a fetch route", "POST", "/topics/" + MAIN + "/partitions/0/records", JSON,
                bytes("{}"), 404, "NOT_FOUND"));
        cases.add(new Case("GET an unknown route", "GET", "/topics/" + MAIN + "/nothing-here", null, null, 404,
                "NOT_FOUND"));
    }

    private static void badPartitionChanges(List<Case> cases) {
        String path = "/topics/" + MAIN + "/partitions";
        String[][] counts = {{"shrink to 2", "{\"count\":2}", "INVALID_PARTITIONS"},
                {"shrink to 1", "{\"count\":1}", "INVALID_PARTITIONS"},
                {"the same count", "{\"count\":3}", "INVALID_PARTITIONS"},
                {"count 0", "{\"count\":0}", "INVALID_PARTITIONS"},
                {"count -1", "{\"count\":-1}", "INVALID_PARTITIONS"},
                {"count over the limit", "{\"count\":10001}", "INVALID_PARTITIONS"},
                {"count as a string", "{\"count\":\"5\"}", "INVALID_REQUEST"},
                {"a fractional count", "{\"count\":5.5}", "INVALID_REQUEST"},
                {"a null count", "{\"count\":null}", "INVALID_REQUEST"},
                {"no count", "{}", "INVALID_REQUEST"},
                {"an unknown field", "{\"count\":5,\"x\":1}", "INVALID_REQUEST"},
                {"an array body", "[5]", "INVALID_REQUEST"},
                {"an empty body", "", "INVALID_REQUEST"}};
        for (String[] c : counts) {
            cases.add(new Case("grow partitions with " + c[0], "POST", path, JSON, bytes(c[1]), 400, c[2]));
        }
        cases.add(new Case("grow partitions of an unknown topic", "POST", "/topics/" + GHOST + "/partitions", JSON,
                bytes("{\"count\":5}"), 404, "TOPIC_NOT_FOUND"));
    }
}
