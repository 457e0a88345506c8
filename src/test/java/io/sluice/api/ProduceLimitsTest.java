package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A hostile client against small, configured limits: a lying Content-Length, a body that stalls
 * holding its reservation, big bodies at once, too many records, a chunked body that grows past
 * the budget, and a WebSocket producer that does not wait for its acks. Every refusal is a
 * problem+json 413, 429 or 503 (with Retry-After), the broker keeps answering, and the log end
 * offsets show that nothing of a refused request was written.
 */
@QuarkusTest
@TestProfile(ProduceLimitsTest.SmallLimits.class)
class ProduceLimitsTest extends ApiTest {
    /** One 1 MiB body (6 MiB) and its records fit, with room for small requests; a second does not. */
    static final long REQUEST_MEMORY = 6L * 1024 * 1024 + 512 * 1024;
    static final long MAX_REQUEST = 2L * 1024 * 1024;
    static final int MAX_RECORDS = 1000;
    static final int ONE_MIB = 1024 * 1024;
    private static final HttpClient HTTP1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("sluice.limits.request-memory-bytes", Long.toString(REQUEST_MEMORY),
                    "sluice.limits.max-request-bytes", Long.toString(MAX_REQUEST),
                    "sluice.limits.max-records-per-request", Integer.toString(MAX_RECORDS),
                    "sluice.limits.ws-produce-outstanding-records", "3",
                    // A deaf client is dropped by the idle timeout at the latest: short here, so the test is.
                    "quarkus.http.idle-timeout", "5s");
        }
    }

    /** A topic whose records may be up to 2 MiB, so that the bodies here meet the request limits first. */
    private String topic(String name) {
        return created(api.createTopic("limits-" + name + "-" + RUN, 1, Map.of("max.message.bytes", "2097152"))
                .get("name").asText());
    }

    private static void assertProblem(int status, String code, int actualStatus, String contentType, String body) {
        assertEquals(status, actualStatus, body);
        assertTrue(contentType != null && contentType.startsWith(Problem.MEDIA_TYPE), contentType + ": " + body);
        JsonNode problem = HttpApi.parse(body);
        assertEquals(code, problem.path("code").asText(), body);
        assertEquals(status, problem.path("status").asInt(), body);
        assertTrue(!problem.path("detail").asText().isBlank(), body);
    }

    /** A batch body of exactly {@code length} bytes holding one string record. */
    static byte[] bodyOfLength(int length) {
        String head = "{\"records\":[{\"value\":\"";
        String tail = "\"}]}";
        return (head + "x".repeat(length - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> post(String topic, byte[] body) {
        return postAsync(topic, body).join();
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String topic, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(api.uri("/topics/" + topic + "/records?format=string"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HTTP1.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aLyingContentLengthIsRefusedBeforeTheBodyIsRead() {
        String t = topic("lying");
        for (long declared : new long[] {100_000_000L, Long.MAX_VALUE, MAX_REQUEST + 1}) {
            try (RawHttpRequest raw = new RawHttpRequest(base)) {
                raw.startPost("/topics/" + t + "/records", "application/json", "Content-Length: " + declared + "\r\n");
                raw.write("{\"records\":[".getBytes(StandardCharsets.US_ASCII));
                RawHttpRequest.Reply reply = raw.read();
                assertProblem(413, "REQUEST_TOO_LARGE", reply.status(), reply.header("content-type"), reply.body());
            }
        }
        // Within the request limit but more than the whole request memory could ever hold.
        try (RawHttpRequest raw = new RawHttpRequest(base)) {
            raw.startPost("/topics/" + t + "/records", "application/json", "Content-Length: " + MAX_REQUEST + "\r\n");
            RawHttpRequest.Reply reply = raw.read();
            assertProblem(413, "REQUEST_TOO_LARGE", reply.status(), reply.header("content-type"), reply.body());
        }
        assertEquals(List.of(0L), api.logEndOffsets(t));
    }

    /**
     * A body that declares 1 MiB and stalls holds its reservation; a second 1 MiB body does not
     * fit beside it and gets 503 with Retry-After, while small requests and health still pass.
     * When the first body completes, it is written and the memory is free again.
     */
    @Test
    void aStalledBodyHoldsItsReservationAndABigOneBesideItIsBusy() {
        String t = topic("stalled");
        byte[] first = bodyOfLength(ONE_MIB);
        try (RawHttpRequest stalled = new RawHttpRequest(base)) {
            stalled.startPost("/topics/" + t + "/records?format=string", "application/json",
                    "Content-Length: " + first.length + "\r\n");
            stalled.write(java.util.Arrays.copyOf(first, 1000));
            long reservation = ProduceAdmission.bodyCost(first.length);
            Wait.upTo(10).until(() -> requestMemoryUsed() >= reservation);
            // Invalid JSON: admitted, it would be a 400 that writes nothing; refused, it is a 503.
            byte[] probe = new byte[ONE_MIB];
            java.util.Arrays.fill(probe, (byte) '[');
            HttpResponse<String> busy = post(t, probe);
            assertProblem(503, "BROKER_BUSY", busy.statusCode(), busy.headers().firstValue("Content-Type").orElse(null),
                    busy.body());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));
            assertEquals(200, api.get("/q/health/live").status());
            api.produce(t, "?format=string", "{\"records\":[{\"value\":\"small\"}]}");

            stalled.write(java.util.Arrays.copyOfRange(first, 1000, first.length));
            RawHttpRequest.Reply reply = stalled.read();
            assertEquals(200, reply.status(), reply.body());
        }
        assertEquals(200, post(t, bodyOfLength(ONE_MIB)).statusCode());
        assertEquals(List.of(3L), api.logEndOffsets(t));
    }

    /** sluice_request_memory_used_bytes, from the metrics endpoint. */
    private double requestMemoryUsed() {
        for (String line : api.get("/q/metrics").body().split("\n")) {
            if (line.startsWith("sluice_request_memory_used_bytes")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** Twelve 1 MiB bodies at once against room for one: each is written or refused whole. */
    @Test
    void bigBodiesAtOnceAreWrittenOrRefusedWholeAndTheBrokerStillAnswers() {
        String t = topic("concurrent");
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            replies.add(postAsync(t, bodyOfLength(ONE_MIB)));
        }
        int written = 0;
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> f : replies) {
            HttpResponse<String> r = f.join();
            if (r.statusCode() == 200) {
                written++;
            } else {
                assertProblem(503, "BROKER_BUSY", r.statusCode(), r.headers().firstValue("Content-Type").orElse(null),
                        r.body());
                assertTrue(r.headers().firstValue("Retry-After").isPresent());
                busy++;
            }
        }
        System.out.println("12 bodies of 1 MiB in 6.5 MiB of request memory: " + written + " written, " + busy + " busy");
        assertTrue(written >= 1 && busy >= 1, written + " written, " + busy + " busy");
        assertEquals(List.of((long) written), api.logEndOffsets(t));
        assertEquals(200, api.get("/q/health/ready").status());
    }

    @Test
    void aRequestOverTheRecordLimitIsRefusedWhole() {
        String t = topic("count");
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i <= MAX_RECORDS; i++) {
            body.append(i == 0 ? "" : ",").append("{\"value\":").append(i).append('}');
        }
        HttpApi.Reply reply = api.post("/topics/" + t + "/records", body.append("]}").toString());
        assertProblem(413, "REQUEST_TOO_LARGE", reply.status(), reply.contentType(), reply.body());
        assertEquals(List.of(0L), api.logEndOffsets(t));
        String ndjson = "{\"value\":1}\n".repeat(MAX_RECORDS + 1);
        HttpApi.Reply lines = api.send("POST", "/topics/" + t + "/records", "application/x-ndjson",
                ndjson.getBytes(StandardCharsets.UTF_8));
        assertProblem(413, "REQUEST_TOO_LARGE", lines.status(), lines.contentType(), lines.body());
        assertEquals(List.of(0L), api.logEndOffsets(t));
        api.send("POST", "/topics/" + t + "/records", "application/x-ndjson",
                "{\"value\":1}\n".repeat(MAX_RECORDS).getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of((long) MAX_RECORDS), api.logEndOffsets(t));
    }

    /** A chunked body declares no length: it is counted as it arrives and refused once it does not fit. */
    @Test
    void aChunkedBodyIsCountedAsItArrives() {
        String t = topic("chunked");
        try (RawHttpRequest raw = new RawHttpRequest(base)) {
            raw.startPost("/topics/" + t + "/records?format=string", "application/json",
                    "Transfer-Encoding: chunked\r\n");
            byte[] body = bodyOfLength((int) MAX_REQUEST);
            for (int at = 0; at < body.length; at += 64 * 1024) {
                raw.chunk(java.util.Arrays.copyOfRange(body, at, Math.min(body.length, at + 64 * 1024)));
            }
            raw.chunk(new byte[0]);
            RawHttpRequest.Reply reply = raw.read();
            assertProblem(503, "BROKER_BUSY", reply.status(), reply.header("content-type"), reply.body());
        }
        try (RawHttpRequest raw = new RawHttpRequest(base)) {
            raw.startPost("/topics/" + t + "/records?format=string", "application/json",
                    "Transfer-Encoding: chunked\r\n");
            raw.chunk("{\"records\":[{\"value\":".getBytes(StandardCharsets.UTF_8));
            raw.chunk("\"chunked\"}]}".getBytes(StandardCharsets.UTF_8));
            raw.chunk(new byte[0]);
            RawHttpRequest.Reply reply = raw.read();
            assertEquals(200, reply.status(), reply.body());
        }
        assertEquals(List.of(1L), api.logEndOffsets(t));
        assertEquals("chunked", api.fetch(t, 0, "?offset=0&format=string").get("records").get(0).get("value")
                .asText());
    }

    /**
     * A producer that sends without waiting for acks meets the connection's cap of unanswered
     * records: every record gets exactly one answer, an ack or THROTTLED, and exactly the acked
     * ones are stored.
     */
    @Test
    void aWebSocketProducerPastItsUnansweredCapIsThrottled() {
        String t = topic("ws-cap");
        int sent = 300;
        try (WsClient c = WsClient.open(api.ws("/ws/produce?topic=" + t + "&acks=all&format=string"))) {
            for (int i = 0; i < sent; i++) {
                c.send("{\"id\":\"r" + i + "\",\"value\":\"v" + i + "\"}");
            }
            Wait.upTo(30).until(() -> c.frames().size() == sent);
            Set<String> ids = new HashSet<>();
            int acked = 0;
            int throttled = 0;
            for (JsonNode f : c.frames()) {
                assertTrue(ids.add(f.get("id").asText()), "one answer per record: " + f);
                if (f.get("type").asText().equals("ack")) {
                    acked++;
                } else {
                    assertEquals("THROTTLED", f.get("code").asText(), f.toString());
                    throttled++;
                }
            }
            System.out.println("ws producer, cap 3: " + acked + " acked, " + throttled + " throttled");
            assertTrue(throttled > 0, "300 records sent at once never met a cap of 3");
            assertEquals(List.of((long) acked), api.logEndOffsets(t));
        }
    }

    /**
     * A producer that never reads its answers is disconnected: its acks fill the socket, its next
     * records are refused, and once the refusals pile up unread the server closes the connection
     * (1008): when the client finally reads, it finds the close after its answers.
     */
    @Test
    void aWebSocketProducerThatNeverReadsIsDisconnected() {
        String t = topic("ws-deaf");
        try (RawWebSocket ws = new RawWebSocket(base, "/ws/produce?topic=" + t + "&acks=1&format=string")) {
            String record = "{\"value\":\"" + "z".repeat(1000) + "\"}";
            CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                for (int i = 0; i < 100_000; i++) {
                    try {
                        ws.sendText(record);
                    } catch (java.io.UncheckedIOException e) {
                        return i;
                    }
                }
                return -1;
            });
            int failedAt = writer.orTimeout(120, java.util.concurrent.TimeUnit.SECONDS).join();
            System.out.println("deaf ws producer: writes failed after " + failedAt + " records");
            // 1008 when the close frame gets through; 1006 when the idle timeout drops the connection
            // first, the close frame still queued behind the answers the client never read.
            int closed = ws.awaitClose();
            assertTrue(closed == ProduceSocket.POLICY_VIOLATION || closed == 1006, "closed with " + closed);
        }
        assertEquals(200, api.get("/q/health/live").status());
    }
}
