package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document is good enough to generate a client from: real request and reply schemas,
 * the statuses the API answers, typed parameters, and problem+json errors; every reference
 * resolves; and replies of the running broker carry the fields the document calls required.
 */
@QuarkusTest
class OpenApiDocumentTest extends ApiTest {
    private JsonNode doc;

    @BeforeEach
    void load() {
        HttpApi.Reply r = api.get("/q/openapi?format=json");
        assertEquals(200, r.status(), r::body);
        doc = r.json();
    }

    private JsonNode op(String path, String method) {
        JsonNode op = doc.path("paths").path(path).path(method);
        assertFalse(op.isMissingNode(), () -> method + " " + path + " is not in the document");
        return op;
    }

    private JsonNode schema(JsonNode maybeRef) {
        String ref = maybeRef.path("$ref").asText("");
        return ref.isEmpty() ? maybeRef : doc.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
    }

    private String ref(JsonNode op, String status, String mediaType) {
        JsonNode s = op.path("responses").path(status).path("content").path(mediaType).path("schema");
        assertFalse(s.isMissingNode(), () -> status + " " + mediaType + " missing in " + op);
        return s.path("$ref").asText();
    }

    @Test
    void createTopicTakesJsonAndAnswers201WithTheTopic() {
        JsonNode create = op("/topics", "post");
        JsonNode body = create.path("requestBody").path("content");
        assertTrue(body.has("application/json"), body::toString);
        assertFalse(body.has("application/octet-stream"), body::toString);
        assertEquals("#/components/schemas/CreateTopic", body.path("application/json").path("schema").path("$ref").asText());
        assertFalse(create.path("responses").has("200"), create::toString);
        assertEquals("#/components/schemas/TopicDescription", ref(create, "201", "application/json"));
        assertEquals(OpenApiErrors.PROBLEM_REF, ref(create, "409", Problem.MEDIA_TYPE));
        JsonNode props = schema(body.path("application/json").path("schema")).path("properties");
        assertEquals("integer", props.path("partitions").path("type").asText(), props::toString);
    }

    @Test
    void deleteAnswers204() {
        JsonNode delete = op("/topics/{topic}", "delete");
        assertTrue(delete.path("responses").has("204"), delete::toString);
        assertFalse(delete.path("responses").has("200"), delete::toString);
        assertEquals(OpenApiErrors.PROBLEM_REF, ref(delete, "404", Problem.MEDIA_TYPE));
    }

    @Test
    void fetchHasTypedParametersAndARealReply() {
        JsonNode fetch = op("/topics/{topic}/partitions/{partition}/records", "get");
        Map<String, JsonNode> params = new java.util.HashMap<>();
        fetch.path("parameters").forEach(p -> params.put(p.path("name").asText(), p));
        assertEquals("integer", params.get("offset").path("schema").path("type").asText());
        assertTrue(params.get("offset").path("required").asBoolean());
        assertEquals("integer", params.get("partition").path("schema").path("type").asText());
        JsonNode maxRecords = params.get("maxRecords").path("schema");
        assertEquals("integer", maxRecords.path("type").asText());
        assertEquals(1, maxRecords.path("minimum").asInt());
        assertEquals(10_000, maxRecords.path("maximum").asInt());
        assertEquals(500, maxRecords.path("default").asInt(), maxRecords::toString);
        assertEquals("integer", params.get("timeoutMs").path("schema").path("type").asText());
        assertTrue(params.get("format").path("schema").path("enum").toString().contains("binary"));
        fetch.path("parameters").forEach(p -> assertTrue(p.path("schema").hasNonNull("type"), p::toString));
        JsonNode reply = schema(fetch.path("responses").path("200").path("content").path("application/json").path("schema"));
        for (String field : List.of("records", "nextOffset", "highWatermark", "logStartOffset")) {
            assertTrue(reply.path("properties").has(field), () -> field + " missing in " + reply);
        }
        assertEquals(OpenApiErrors.PROBLEM_REF, ref(fetch, "416", Problem.MEDIA_TYPE));
    }

    @Test
    void produceDocumentsBothBodiesAndPartialSuccess() {
        JsonNode produce = op("/topics/{topic}/records", "post");
        JsonNode body = produce.path("requestBody").path("content");
        assertTrue(body.has("application/json") && body.has("application/x-ndjson"), body::toString);
        assertEquals("#/components/schemas/ProduceReply", ref(produce, "200", "application/json"));
        assertEquals("#/components/schemas/ProduceReply", ref(produce, "207", "application/json"));
        for (String status : List.of("400", "404", "413", "415", "429", "503")) {
            assertEquals(OpenApiErrors.PROBLEM_REF, ref(produce, status, Problem.MEDIA_TYPE));
        }
        for (JsonNode p : produce.path("parameters")) {
            assertFalse(p.path("name").asText().equalsIgnoreCase("Content-Type"), "header parameter documented");
        }
    }

    /** Every operation documents its success and problem+json errors; nothing is a bare binary body. */
    @Test
    void everyOperationHasSuccessAndProblemReplies() {
        List<String> operations = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
            if (!List.of("get", "post", "put", "patch", "delete").contains(m.getKey())) {
                return;
            }
            String name = m.getKey().toUpperCase() + " " + path.getKey();
            operations.add(name);
            JsonNode responses = m.getValue().path("responses");
            boolean success = false;
            for (Iterator<String> it = responses.fieldNames(); it.hasNext(); ) {
                String status = it.next();
                success |= status.startsWith("2");
                if (status.startsWith("4") || status.startsWith("5") || status.equals("default")) {
                    assertEquals(OpenApiErrors.PROBLEM_REF, ref(m.getValue(), status, Problem.MEDIA_TYPE), name);
                }
            }
            assertTrue(success, () -> name + " documents no success: " + responses);
            assertTrue(responses.has("default"), name);
            assertFalse(m.getValue().path("requestBody").toString().contains("octet-stream"), name);
        }));
        assertTrue(operations.size() >= 8, operations::toString);
        JsonNode problem = doc.path("components").path("schemas").path("Problem").path("properties");
        assertTrue(problem.path("code").toString().contains("TOPIC_NOT_FOUND"), problem::toString);
    }

    /** Structural validation: every $ref in the document names a schema that exists. */
    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertFalse(refs.isEmpty());
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/components/schemas/"), ref);
            assertNotNull(doc.path("components").path("schemas").get(ref.substring("#/components/schemas/".length())),
                    () -> "dangling " + ref);
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.isObject()) {
            node.fields().forEachRemaining(f -> {
                if (f.getKey().equals("$ref")) {
                    refs.add(f.getValue().asText());
                } else {
                    collectRefs(f.getValue(), refs);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, refs));
        }
    }

    /** The schemas' required fields are present in the replies of the running broker. */
    @Test
    void repliesCarryTheRequiredFieldsOfTheirSchemas() {
        String topic = created("openapi-" + RUN);
        JsonNode description = api.createTopic(topic, 1);
        assertRequired("TopicDescription", description);
        assertRequired("PartitionState", description.path("partitionStates").get(0));
        JsonNode offsets = api.produce(topic, "", "{\"records\":[{\"key\":\"k\",\"value\":1}]}");
        assertRequired("RecordOffset", offsets.get(0));
        JsonNode fetched = api.fetch(topic, 0, "?offset=0");
        assertRequired("FetchReply", fetched);
        assertRequired("FetchedRecord", fetched.path("records").get(0));
        assertRequired("Problem", api.get("/topics/no-such-" + RUN).json());
    }

    private void assertRequired(String schemaName, JsonNode value) {
        JsonNode s = doc.path("components").path("schemas").path(schemaName);
        assertFalse(s.isMissingNode(), schemaName);
        for (JsonNode field : s.path("required")) {
            assertTrue(value.has(field.asText()), () -> schemaName + "." + field.asText() + " missing in " + value);
        }
        s.path("properties").fieldNames().forEachRemaining(f -> {
            if (!value.has(f) && !s.path("properties").path(f).path("nullable").asBoolean()) {
                assertFalse(s.path("required").toString().contains("\"" + f + "\""), schemaName + "." + f);
            }
        });
        value.fieldNames().forEachRemaining(f -> assertTrue(s.path("properties").has(f),
                () -> schemaName + " does not describe '" + f + "' of " + value));
    }
}
