package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Topic administration over REST (API.md): create, list, describe, change config, grow, delete. */
@QuarkusTest
class TopicAdminTest extends ApiTest {
    private static final List<String> PARTITION_FIELDS = List.of("partition", "leader", "leaderEpoch", "replicas",
            "isr", "logStartOffset", "localLogStartOffset", "highWatermark", "logEndOffset");

    private String name(String what) {
        String t = "admin-" + what + "-" + RUN;
        created(t);
        return t;
    }

    @Test
    void createReturns201WithTheTopicAnd409ForADuplicate() {
        String t = name("create");
        HttpApi.Reply created = api.post("/topics", "{\"name\":\"" + t + "\",\"partitions\":3,"
                + "\"replicationFactor\":1,\"config\":{\"retention.ms\":\"3600000\",\"segment.bytes\":1048576}}");
        assertEquals(201, created.status(), created.body());
        JsonNode topic = created.json();
        assertEquals(t, topic.get("name").asText());
        assertEquals(3, topic.get("partitions").asInt());
        assertEquals(1, topic.get("replicationFactor").asInt());
        assertEquals("3600000", topic.get("config").get("retention.ms").asText());
        assertEquals("1048576", topic.get("config").get("segment.bytes").asText());
        assertEquals(3, topic.get("partitionStates").size());

        HttpApi.Reply again = api.post("/topics", "{\"name\":\"" + t + "\",\"partitions\":1}");
        assertEquals(409, again.status());
        assertTrue(again.contentType().startsWith(Problem.MEDIA_TYPE));
        assertEquals("TOPIC_ALREADY_EXISTS", again.json().get("code").asText());
        assertEquals(3, api.describe(t).get("partitions").asInt(), "the duplicate changed nothing");
    }

    @Test
    void createDefaultsToOnePartitionAndReplicationFactorOne() {
        String t = name("defaults");
        HttpApi.Reply created = api.post("/topics", "{\"name\":\"" + t + "\"}");
        assertEquals(201, created.status(), created.body());
        assertEquals(1, created.json().get("partitions").asInt());
        assertEquals(1, created.json().get("replicationFactor").asInt());
    }

    @Test
    void theLongestLegalNameWorks() {
        String suffix = "-" + RUN;
        String t = "admin-long-" + "n".repeat(249 - "admin-long-".length() - suffix.length()) + suffix;
        assertEquals(249, t.length());
        created(t);
        HttpApi.Reply created = api.post("/topics", "{\"name\":\"" + t + "\",\"partitions\":2}");
        assertEquals(201, created.status(), created.body());
        api.produce(t, "", "{\"records\":[{\"value\":1,\"partition\":1}]}");
        assertEquals(List.of(0L, 1L), api.logEndOffsets(t));
        assertEquals(200, api.patch("/topics/" + t + "/config", "{\"retention.ms\":\"60000\"}").status());
        assertEquals(200, api.post("/topics/" + t + "/partitions", "{\"count\":3}").status());
        assertEquals(204, api.delete("/topics/" + t).status());
        assertEquals(404, api.get("/topics/" + t).status());
    }

    @Test
    void listShowsEveryTopicWithItsShape() {
        String a = name("list-a");
        String b = name("list-b");
        api.createTopic(b, 2);
        api.createTopic(a, 5);
        HttpApi.Reply list = api.get("/topics");
        assertEquals(200, list.status());
        List<String> names = new ArrayList<>();
        JsonNode foundA = null;
        for (JsonNode t : list.json()) {
            names.add(t.get("name").asText());
            assertTrue(t.has("partitions") && t.has("replicationFactor"), t::toString);
            if (t.get("name").asText().equals(a)) {
                foundA = t;
            }
        }
        assertTrue(names.contains(a) && names.contains(b), names::toString);
        assertEquals(5, foundA.get("partitions").asInt());
        assertEquals(1, foundA.get("replicationFactor").asInt());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "the list is sorted by name");
    }

    @Test
    void describeGivesConfigAndEveryPartitionsState() {
        String t = name("describe");
        api.createTopic(t, 3, Map.of("max.message.bytes", "5000"));
        api.produce(t, "", "{\"records\":[{\"value\":1,\"partition\":1},{\"value\":2,\"partition\":1},"
                + "{\"value\":3,\"partition\":2}]}");
        JsonNode d = api.describe(t);
        assertEquals(t, d.get("name").asText());
        assertFalse(d.get("id").asText().isBlank());
        assertEquals("5000", d.get("config").get("max.message.bytes").asText());
        assertEquals(Map.of("max.message.bytes", "5000"), HttpApi.JSON.convertValue(d.get("configOverrides"),
                Map.class));
        for (String key : List.of("retention.ms", "retention.bytes", "segment.bytes", "segment.ms",
                "min.insync.replicas")) {
            assertTrue(d.get("config").has(key), "effective config has " + key);
        }
        JsonNode states = d.get("partitionStates");
        assertEquals(3, states.size());
        long[] ends = {0, 2, 1};
        for (int p = 0; p < 3; p++) {
            JsonNode s = states.get(p);
            for (String f : PARTITION_FIELDS) {
                assertTrue(s.has(f), "partition " + p + " lacks " + f + ": " + s);
            }
            assertEquals(p, s.get("partition").asInt());
            assertTrue(s.get("replicas").isArray() && s.get("replicas").size() == 1);
            assertTrue(s.get("isr").isArray());
            assertEquals(s.get("leader"), s.get("replicas").get(0));
            assertEquals(s.get("replicas"), s.get("isr"));
            assertEquals(0, s.get("logStartOffset").asLong());
            assertEquals(0, s.get("localLogStartOffset").asLong());
            assertEquals(ends[p], s.get("logEndOffset").asLong());
            assertEquals(ends[p], s.get("highWatermark").asLong());
        }
    }

    @Test
    void patchChangesConfigAndNullRemovesAnOverride() {
        String t = name("patch");
        api.createTopic(t, 1);
        String defaultRetention = api.describe(t).get("config").get("retention.ms").asText();
        assertFalse(defaultRetention.equals("1000"));

        HttpApi.Reply set = api.patch("/topics/" + t + "/config", "{\"retention.ms\":\"1000\",\"segment.ms\":60000}");
        assertEquals(200, set.status(), set.body());
        assertEquals("1000", set.json().get("config").get("retention.ms").asText());
        JsonNode d = api.describe(t);
        assertEquals("1000", d.get("config").get("retention.ms").asText());
        assertEquals("1000", d.get("configOverrides").get("retention.ms").asText());
        assertEquals("60000", d.get("configOverrides").get("segment.ms").asText());

        // The {"config":{...}} form works the same.
        HttpApi.Reply wrapped = api.patch("/topics/" + t + "/config", "{\"config\":{\"retention.ms\":\"2000\"}}");
        assertEquals(200, wrapped.status(), wrapped.body());
        assertEquals("2000", api.describe(t).get("configOverrides").get("retention.ms").asText());

        HttpApi.Reply removed = api.patch("/topics/" + t + "/config", "{\"retention.ms\":null}");
        assertEquals(200, removed.status(), removed.body());
        d = api.describe(t);
        assertFalse(d.get("configOverrides").has("retention.ms"), d::toString);
        assertEquals(defaultRetention, d.get("config").get("retention.ms").asText(), "back to the default");
        assertEquals("60000", d.get("configOverrides").get("segment.ms").asText(), "other overrides stay");
    }

    @Test
    void patchedMaxMessageBytesAppliesToTheNextProduce() {
        String t = name("patch-max");
        api.createTopic(t, 1);
        String value = "v".repeat(500);
        api.produce(t, "?format=string", "{\"records\":[{\"value\":\"" + value + "\"}]}");
        assertEquals(200, api.patch("/topics/" + t + "/config", "{\"max.message.bytes\":\"300\"}").status());
        HttpApi.Reply tooLarge = api.post("/topics/" + t + "/records?format=string",
                "{\"records\":[{\"value\":\"" + value + "\"}]}");
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertEquals("RECORD_TOO_LARGE", tooLarge.json().get("code").asText());
        assertEquals(List.of(1L), api.logEndOffsets(t));
    }

    @Test
    void growingPartitionsAddsUsablePartitions() {
        String t = name("grow");
        api.createTopic(t, 2);
        api.produce(t, "", "{\"records\":[{\"value\":\"old\",\"partition\":1}]}");
        HttpApi.Reply grown = api.post("/topics/" + t + "/partitions", "{\"count\":5}");
        assertEquals(200, grown.status(), grown.body());
        assertEquals(5, grown.json().get("partitions").asInt());
        JsonNode d = api.describe(t);
        assertEquals(5, d.get("partitionStates").size());
        assertEquals(List.of(0L, 1L, 0L, 0L, 0L), api.logEndOffsets(t), "old partitions keep their data");

        JsonNode offsets = api.produce(t, "", "{\"records\":[{\"value\":\"new\",\"partition\":4}]}");
        assertEquals(4, offsets.get(0).get("partition").asInt());
        assertEquals(0, offsets.get(0).get("offset").asLong());
        assertEquals("new", api.fetch(t, 4, "?offset=0").get("records").get(0).get("value").asText());

        // Keyless records now spread over all five partitions.
        StringBuilder body = new StringBuilder("{\"records\":[");
        for (int i = 0; i < 10; i++) {
            body.append(i == 0 ? "" : ",").append("{\"value\":").append(i).append('}');
        }
        JsonNode spread = api.produce(t, "", body.append("]}").toString());
        boolean[] used = new boolean[5];
        spread.forEach(o -> used[o.get("partition").asInt()] = true);
        for (int p = 0; p < 5; p++) {
            assertTrue(used[p], "partition " + p + " takes keyless records");
        }
        api.get("/topics").json().forEach(s -> {
            if (s.get("name").asText().equals(t)) {
                assertEquals(5, s.get("partitions").asInt());
            }
        });
    }

    @Test
    void deleteRemovesTheTopicAndTheNameCanBeReused() {
        String t = name("delete");
        api.createTopic(t, 2, Map.of("retention.ms", "5000"));
        api.produce(t, "", "{\"records\":[{\"value\":1,\"partition\":0},{\"value\":2,\"partition\":0},"
                + "{\"value\":3,\"partition\":1}]}");
        assertEquals(List.of(2L, 1L), api.logEndOffsets(t));

        assertEquals(204, api.delete("/topics/" + t).status());
        HttpApi.Reply gone = api.get("/topics/" + t);
        assertEquals(404, gone.status());
        assertEquals("TOPIC_NOT_FOUND", gone.json().get("code").asText());
        assertEquals(404, api.get("/topics/" + t + "/partitions/0/records?offset=0").status());
        assertEquals(404, api.post("/topics/" + t + "/records", "{\"records\":[{\"value\":1}]}").status());
        api.get("/topics").json().forEach(s -> assertFalse(s.get("name").asText().equals(t)));
        assertEquals(404, api.delete("/topics/" + t).status());

        JsonNode recreated = api.createTopic(t, 1);
        assertTrue(recreated.get("configOverrides").isEmpty(), "the old config is gone");
        assertEquals(List.of(0L), api.logEndOffsets(t));
        JsonNode offsets = api.produce(t, "", "{\"records\":[{\"value\":\"fresh\"}]}");
        assertEquals(0, offsets.get(0).get("offset").asLong(), "a re-created topic starts at offset 0");
        JsonNode records = api.fetch(t, 0, "?offset=0").get("records");
        assertEquals(1, records.size());
        assertEquals("fresh", records.get(0).get("value").asText());
    }

    @Test
    void storageHealthListsTheTopicDefinitionCheckAndDescribeSaysTheTierIsAvailable() {
        String t = name("health");
        api.createTopic(t, 1);
        assertTrue(api.describe(t).get("partitionStates").get(0).get("tierAvailable").asBoolean(),
                "a new topic's tiered range is known (empty)");
        HttpApi.Reply health = api.get("/q/health/group/storage");
        assertEquals(200, health.status(), health.body());
        List<String> checks = new java.util.ArrayList<>();
        health.json().get("checks").forEach(c -> checks.add(c.get("name").asText() + "=" + c.get("status").asText()));
        assertTrue(checks.contains("sluice-topic-definitions=UP"), checks.toString());
        assertTrue(checks.contains("sluice-storage=UP"), checks.toString());
    }
}
