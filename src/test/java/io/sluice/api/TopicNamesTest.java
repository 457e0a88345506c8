package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Kafka's rule for names that differ only in '.' and '_' (their metric names would collide). */
@QuarkusTest
class TopicNamesTest extends ApiTest {

    private HttpApi.Reply create(String name) {
        return api.post("/topics", "{\"name\":\"" + name + "\",\"partitions\":1}");
    }

    @Test
    void aNameThatCollidesOnDotAndUnderscoreIsRefused() {
        String dotted = created("names." + RUN + ".a");
        assertEquals(201, create(dotted).status());
        String underscored = created("names_" + RUN + "_a");
        HttpApi.Reply r = create(underscored);
        HttpEdgesTest.assertProblem(r, 400, "INVALID_TOPIC");
        assertTrue(r.json().path("detail").asText().contains(dotted), r::body);
        String mixed = created("names." + RUN + "_a");
        HttpEdgesTest.assertProblem(create(mixed), 400, "INVALID_TOPIC");
        assertEquals(404, api.get("/topics/" + underscored).status());
    }

    @Test
    void theSameNameIsStillAConflictAndOthersAreFine() {
        String name = created("names-plain." + RUN);
        assertEquals(201, create(name).status());
        HttpEdgesTest.assertProblem(create(name), 409, "TOPIC_ALREADY_EXISTS");
        assertEquals(201, create(created("names-plain-" + RUN)).status());
    }

    @Test
    void onceTheCollidingTopicIsDeletedTheNameIsFree() {
        String a = created("names-del." + RUN);
        String b = created("names-del_" + RUN);
        assertEquals(201, create(a).status());
        assertEquals(400, create(b).status());
        assertEquals(204, api.delete("/topics/" + a).status());
        assertEquals(201, create(b).status());
    }
}
