package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /groups} (API.md): list, describe, reset offsets (refused while the group has live
 * members, and for bad bodies before anything changes), delete; and the per-group meters.
 */
@QuarkusTest
class GroupAdminTest extends GroupTestSupport {

    @Test
    void listDescribeResetAndDeleteAGroup() {
        String t = topic("admin", 3);
        String g = group("admin");
        fill(t, 3, "a", 20);
        try (GroupClient m = join("m", g, t, "from=earliest&autoCommitIntervalMs=100")) {
            Wait.upTo(15).until(() -> m.owned().size() == 3);
            Wait.upTo(10).until(() -> m.records().size() == 60);
            awaitCommitted(g, c -> c.values().stream().mapToLong(Long::longValue).sum() == 60);

            HttpApi.Reply list = api.get("/groups");
            assertEquals(200, list.status(), list::body);
            JsonNode listed = null;
            for (JsonNode entry : list.json()) {
                if (entry.get("groupId").asText().equals(g)) {
                    listed = entry;
                }
            }
            assertTrue(listed != null, () -> g + " not in " + list.body());
            assertEquals(1, listed.get("members").asInt());

            JsonNode d = describeOrNull(g);
            assertEquals("STABLE", d.get("state").asText(), d::toString);
            assertEquals("cooperative", d.get("protocol").asText());
            assertEquals("sticky", d.get("strategy").asText());
            assertEquals(1, d.get("members").size());
            JsonNode member = d.get("members").get(0);
            assertFalse(member.get("clientHost").asText().isEmpty(), d::toString);
            assertEquals(3, member.get("owned").size(), d::toString);
            assertEquals(3, d.get("offsets").size(), d::toString);
            for (JsonNode o : d.get("offsets")) {
                assertEquals(20, o.get("committed").asLong(), d::toString);
                assertEquals(20, o.get("endOffset").asLong(), d::toString);
                assertEquals(0, o.get("lag").asLong(), d::toString);
            }

            // Bad bodies are refused before the group is even asked; a good one with a live member is 409.
            String[][] bad = {{"", "INVALID_REQUEST"}, {"[]", "INVALID_REQUEST"}, {"{", "INVALID_REQUEST"},
                    {"{\"to\":\"earliest\"}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\"}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"middle\"}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":{\"offset\":-1}}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":{\"offset\":1,\"timestamp\":2}}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":{\"time\":1}}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"earliest\",\"partitions\":[0,0]}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"earliest\",\"partitions\":[]}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"earliest\",\"partitions\":[\"0\"]}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"earliest\",\"extra\":1}", "INVALID_REQUEST"},
                    {"{\"topic\":\"" + t + "\",\"to\":\"earliest\",\"partitions\":[3]}", "PARTITION_NOT_FOUND"},
                    {"{\"topic\":\"grp-ghost-" + RUN + "\",\"to\":\"earliest\"}", "TOPIC_NOT_FOUND"}};
            for (String[] b : bad) {
                HttpApi.Reply r = api.post("/groups/" + g + "/offsets", b[0]);
                assertTrue(r.status() == 400 || r.status() == 404, () -> b[0] + ": " + r.status() + " " + r.body());
                assertTrue(r.contentType().startsWith(Problem.MEDIA_TYPE), () -> b[0] + ": " + r.contentType());
                assertEquals(b[1], r.json().get("code").asText(), () -> b[0] + ": " + r.body());
            }
            HttpApi.Reply busy = api.post("/groups/" + g + "/offsets", "{\"topic\":\"" + t + "\",\"to\":\"earliest\"}");
            assertEquals(409, busy.status(), busy::body);
            assertEquals("GROUP_NOT_EMPTY", busy.json().get("code").asText());
            HttpApi.Reply busyDelete = api.delete("/groups/" + g);
            assertEquals(409, busyDelete.status(), busyDelete::body);
            assertEquals(Map.of(t + "-0", 20L, t + "-1", 20L, t + "-2", 20L), committed(g), "nothing changed");
        }
        Wait.upTo(10).until(() -> describeOrNull(g).path("state").asText().equals("EMPTY"));

        HttpApi.Reply reset = api.post("/groups/" + g + "/offsets", "{\"topic\":\"" + t + "\",\"to\":{\"offset\":5},"
                + "\"partitions\":[1]}");
        assertEquals(200, reset.status(), reset::body);
        assertEquals(1, reset.json().get("offsets").size(), reset::body);
        assertEquals(5, reset.json().get("offsets").get(0).get("offset").asLong());
        assertEquals(Map.of(t + "-0", 20L, t + "-1", 5L, t + "-2", 20L), committed(g));
        HttpApi.Reply earliest = api.post("/groups/" + g + "/offsets", "{\"topic\":\"" + t + "\",\"to\":\"earliest\"}");
        assertEquals(200, earliest.status(), earliest::body);
        assertEquals(Map.of(t + "-0", 0L, t + "-1", 0L, t + "-2", 0L), committed(g));
        JsonNode lagging = describeOrNull(g);
        for (JsonNode o : lagging.get("offsets")) {
            assertEquals(20, o.get("lag").asLong(), lagging::toString);
        }

        // A member joining now starts from the reset offsets.
        try (GroupClient again = join("again", g, t, "from=latest")) {
            Wait.upTo(15).until(() -> again.records().size() == 60);
            assertEquals(List.of(0L, 0L, 0L), List.of(again.assignedOffset(t + "-0", 0),
                    again.assignedOffset(t + "-1", 0), again.assignedOffset(t + "-2", 0)));
        }
        Wait.upTo(10).until(() -> describeOrNull(g).path("state").asText().equals("EMPTY"));

        assertEquals(204, api.delete("/groups/" + g).status());
        HttpApi.Reply gone = api.get("/groups/" + g);
        assertEquals(404, gone.status(), gone::body);
        assertEquals("GROUP_NOT_FOUND", gone.json().get("code").asText());
        assertEquals(404, api.delete("/groups/" + g).status());
    }

    /** The coordinating broker exposes each group's lag and rebalances. */
    @Test
    void groupLagAndRebalancesAreMetered() {
        String t = topic("metered", 2);
        String g = group("metered");
        try (GroupClient m = GroupClient.open("m", api.ws("/ws/consume?group=" + g + "&topic=" + t
                + "&from=earliest&credits=0&autoCommit=false"), false)) {
            Wait.upTo(15).until(() -> m.owned().size() == 2);
            m.send("{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":0,\"offset\":0},"
                    + "{\"topic\":\"" + t + "\",\"partition\":1,\"offset\":0}]}");
            Wait.upTo(10).until(() -> !m.frames("committed").isEmpty());
            fill(t, 2, "a", 7);
            Wait.upTo(20).until(() -> {
                String metrics = api.get("/q/metrics").body();
                return metrics.contains("sluice_group_lag_sum{group=\"" + g + "\"} 14.0")
                        && metrics.contains("sluice_group_lag_max{group=\"" + g + "\"} 7.0")
                        && metrics.contains("sluice_group_rebalances{group=\"" + g + "\"}")
                        && metrics.contains("sluice_group_members{group=\"" + g + "\"} 1.0");
            });
            String metrics = api.get("/q/metrics").body();
            assertTrue(metrics.contains("# HELP sluice_group_lag_sum"), "described");
            assertTrue(metrics.contains("sluice_group_rebalance_last_ms{group=\"" + g + "\"}"));
        }
    }
}
