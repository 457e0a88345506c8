package io.sluice.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The REST API of API.md as a test sees it, over the JDK's {@link HttpClient} (HTTP/1.1), against
 * whatever port the {@link BrokerProcess} currently listens on. Calls that a test expects to
 * succeed assert their status and return parsed JSON; {@link #send} returns any reply as it is.
 */
public final class BrokerClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A reply: status, content type and body (parsed when it is JSON). */
    public record Reply(int status, String contentType, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("reply is not JSON (status " + status + "): " + body, e);
            }
        }
    }

    /** One record as fetched: offset, key and value as text (value in the reader's format). */
    public record Fetched(long offset, String key, String value) {
    }

    /** One fetch reply: the records, nextOffset and highWatermark. */
    public record Fetch(List<Fetched> records, long nextOffset, long highWatermark) {
    }

    private final BrokerProcess broker;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public BrokerClient(BrokerProcess broker) {
        this.broker = broker;
    }

    /** Sends a request; I/O errors (a killed broker) come out as {@link IOException}. */
    public Reply send(String method, String pathAndQuery, String jsonBody) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(broker.uri(pathAndQuery)).timeout(REQUEST_TIMEOUT);
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
                    response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + method + " " + pathAndQuery, e);
        }
    }

    /** {@link #send} for a request that must get {@code expectedStatus}. */
    public Reply expect(int expectedStatus, String method, String pathAndQuery, Object body) {
        try {
            Reply reply = send(method, pathAndQuery, body == null ? null : JSON.writeValueAsString(body));
            assertEquals(expectedStatus, reply.status(), () -> method + " " + pathAndQuery + " -> " + reply.body());
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + pathAndQuery, e);
        }
    }

    public JsonNode createTopic(String name, int partitions, Map<String, String> config) {
        return createTopic(name, partitions, 1, config);
    }

    public JsonNode createTopic(String name, int partitions, int replicationFactor, Map<String, String> config) {
        return expect(201, "POST", "/topics", Map.of("name", name, "partitions", partitions,
                "replicationFactor", replicationFactor, "config", config)).json();
    }

    public JsonNode describe(String topic) {
        return expect(200, "GET", "/topics/" + topic, null).json();
    }

    /** logEndOffset of every partition, from {@code GET /topics/{t}}. */
    public long[] logEndOffsets(String topic) {
        JsonNode states = describe(topic).get("partitionStates");
        long[] ends = new long[states.size()];
        for (JsonNode s : states) {
            ends[s.get("partition").asInt()] = s.get("logEndOffset").asLong();
        }
        return ends;
    }

    /**
     * Produces string values with string keys (null key: none) to an explicit partition, acks=all;
     * returns the offsets, which must be consecutive.
     */
    public long[] produceTo(String topic, int partition, List<String> keys, List<String> values) {
        ArrayNode records = JSON.createArrayNode();
        for (int i = 0; i < values.size(); i++) {
            ObjectNode r = records.addObject().put("value", values.get(i)).put("partition", partition);
            if (keys != null && keys.get(i) != null) {
                r.put("key", keys.get(i));
            }
        }
        JsonNode offsets = expect(200, "POST", "/topics/" + topic + "/records?acks=all",
                JSON.createObjectNode().set("records", records)).json().get("offsets");
        long[] result = new long[offsets.size()];
        for (int i = 0; i < result.length; i++) {
            assertEquals(partition, offsets.get(i).get("partition").asInt(), offsets::toString);
            result[i] = offsets.get(i).get("offset").asLong();
            if (i > 0) {
                assertEquals(result[i - 1] + 1, result[i], () -> "offsets of one batch: " + offsets);
            }
        }
        return result;
    }

    public Reply fetchReply(String topic, int partition, long offset, int maxRecords) {
        try {
            return send("GET", "/topics/" + topic + "/partitions/" + partition + "/records?offset=" + offset
                    + "&maxRecords=" + maxRecords + "&maxBytes=4194304", null);
        } catch (IOException e) {
            throw new UncheckedIOException("fetching " + topic + "-" + partition + "@" + offset, e);
        }
    }

    public Fetch fetch(String topic, int partition, long offset, int maxRecords) {
        Reply reply = fetchReply(topic, partition, offset, maxRecords);
        assertEquals(200, reply.status(), () -> "fetch " + topic + "-" + partition + "@" + offset + " -> "
                + reply.body());
        JsonNode json = reply.json();
        List<Fetched> records = new ArrayList<>();
        for (JsonNode r : json.get("records")) {
            records.add(new Fetched(r.get("offset").asLong(), r.get("key").isNull() ? null : r.get("key").asText(),
                    r.get("value").isNull() ? null : r.get("value").asText()));
        }
        return new Fetch(records, json.get("nextOffset").asLong(), json.get("highWatermark").asLong());
    }

    /** Every record of a partition from {@code from} up to the high watermark, fetch after fetch. */
    public List<Fetched> fetchAll(String topic, int partition, long from) {
        List<Fetched> all = new ArrayList<>();
        long offset = from;
        while (true) {
            Fetch f = fetch(topic, partition, offset, 10_000);
            all.addAll(f.records());
            if (f.nextOffset() >= f.highWatermark()) {
                return all;
            }
            if (f.records().isEmpty()) {
                throw new AssertionError("fetch of " + topic + "-" + partition + "@" + offset
                        + " returned nothing below the high watermark " + f.highWatermark());
            }
            offset = f.nextOffset();
        }
    }
}
