package io.sluice.api;

import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What every HTTP/WebSocket test class shares: a client for the broker under test, a run id that
 * keeps topic names unique (the broker is shared by all classes), and the deletion of the topics a
 * class created once it is done.
 */
abstract class ApiTest {
    static final String RUN = HttpApi.runId();
    private static final List<String> CREATED = new CopyOnWriteArrayList<>();
    private static HttpApi lastApi;

    @TestHTTPResource("/")
    URI base;

    HttpApi api;

    @BeforeEach
    void client() {
        api = new HttpApi(base);
        lastApi = api;
    }

    @AfterAll
    static void deleteTopics() {
        if (lastApi != null) {
            CREATED.forEach(lastApi::deleteTopicIfExists);
            CREATED.clear();
        }
    }

    /** Remembers a topic for deletion after the class; returns it. */
    static String created(String topic) {
        CREATED.add(topic);
        return topic;
    }
}
