package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Every error reply is problem+json with a code, including those the framework gives before a
 * resource runs (body, headers or URI too large, unknown paths, wrong methods), on the defaults.
 */
@QuarkusTest
class HttpEdgesTest extends ApiTest {

    @Test
    void theRootSaysWhatThisIsAndWhereToGo() {
        HttpApi.Reply r = api.get("/");
        assertEquals(200, r.status(), r::body);
        JsonNode index = r.json();
        assertEquals("sluice", index.get("name").asText());
        assertTrue(index.hasNonNull("version"), r::body);
        assertEquals("/q/openapi", index.get("links").get("openapi").asText());
        assertEquals("/q/swagger-ui", index.get("links").get("swaggerUi").asText());
        assertEquals("/topics", index.get("links").get("topics").asText());
    }

    @Test
    void swaggerUiIsServedOutsideDevMode() {
        HttpApi.Reply r = api.get("/q/swagger-ui/");
        assertEquals(200, r.status(), r::body);
        assertTrue(r.body().contains("swagger"), r::body);
    }

    @Test
    void unknownPathsAreNotFoundProblems() {
        for (String path : new String[] {"/nothing", "/topics/x/nothing-here", "/q/nothing"}) {
            assertProblem(api.get(path), 404, "NOT_FOUND");
        }
    }

    @Test
    void aWrongMethodIsAProblem() {
        assertProblem(api.delete("/topics"), 405, "INVALID_REQUEST");
    }

    @Test
    void aDeclaredBodyOverTheLimitIsRefusedWithAProblemBeforeItIsSent() {
        try (RawHttp c = new RawHttp(base)) {
            String reply = c.send("POST /topics/t/records HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + (65L * 1024 * 1024) + "\r\n\r\n").readUntilClosed();
            assertRawProblem(reply, 413, "REQUEST_TOO_LARGE");
        }
    }

    @Test
    void headersOverTheLimitAreAProblem() {
        try (RawHttp c = new RawHttp(base)) {
            String reply = c.send("GET /topics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(17 * 1024) + "\r\n\r\n")
                    .readUntilClosed();
            assertRawProblem(reply, 431, "REQUEST_TOO_LARGE");
        }
    }

    @Test
    void aUriOverTheLimitIsAProblem() {
        try (RawHttp c = new RawHttp(base)) {
            String reply = c.send("GET /topics/" + "a".repeat(9 * 1024) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                    .readUntilClosed();
            assertRawProblem(reply, 414, "REQUEST_TOO_LARGE");
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIsAProblem() {
        try (RawHttp c = new RawHttp(base)) {
            c.send("POST /topics HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n");
            String chunk = Integer.toHexString(1024 * 1024) + "\r\n" + "a".repeat(1024 * 1024) + "\r\n";
            try {
                for (int i = 0; i < 66; i++) {
                    c.send(chunk);
                }
            } catch (java.io.UncheckedIOException closedEarly) {
                // The server may close as soon as it has answered.
            }
            assertRawProblem(c.readUntilClosed(), 413, "REQUEST_TOO_LARGE");
        }
    }

    static void assertProblem(HttpApi.Reply r, int status, String code) {
        assertEquals(status, r.status(), r::body);
        assertEquals(Problem.MEDIA_TYPE, r.contentType(), r::body);
        JsonNode p = r.json();
        assertEquals(code, p.get("code").asText(), r::body);
        assertEquals(status, p.get("status").asInt(), r::body);
        assertTrue(p.hasNonNull("detail"), r::body);
    }

    static void assertRawProblem(String reply, int status, String code) {
        assertEquals(status, RawHttp.status(reply), reply);
        assertEquals(Problem.MEDIA_TYPE, RawHttp.header(reply, "Content-Type"), reply);
        JsonNode p = HttpApi.parse(RawHttp.body(reply));
        assertEquals(code, p.get("code").asText(), reply);
        assertEquals(status, p.get("status").asInt(), reply);
    }
}
