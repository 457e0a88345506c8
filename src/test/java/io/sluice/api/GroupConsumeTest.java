package io.sluice.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Consumer groups over {@code /ws/consume?group=G} on one broker, with real WebSocket clients: the
 * split of a topic between members, moves when a member leaves or dies, the revoke-before-assign
 * order, eager against cooperative rebalancing, and commits.
 */
@QuarkusTest
class GroupConsumeTest extends GroupTestSupport {
    private static final int PARTITIONS = 6;

    /** Three members join and split six partitions; what is produced while they are stable reaches exactly one of them. */
    @Test
    void threeMembersSplitTheTopicAndEachRecordReachesOneMember() {
        String t = topic("split", PARTITIONS);
        String g = group("split");
        List<GroupClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(join("m" + i, g, t, "autoCommitIntervalMs=200"));
            }
            awaitStable(g, members, all(t, PARTITIONS));
            members.forEach(m -> assertEquals(2, m.owned().size(), () -> m.name + " owns " + m.owned()));
            int revokedBefore = members.stream().mapToInt(m -> m.frames("revoked").size()).sum();
            fill(t, PARTITIONS, "a", 50);
            awaitDelivered(members, "a", PARTITIONS, 50);
            Wait.upTo(2).during(Duration.ofMillis(300)).until(() -> true);
            assertEachOnce(deliveries(members), values("a", PARTITIONS, 50));
            for (GroupClient m : members) {
                for (JsonNode r : m.records()) {
                    assertTrue(m.owned().contains(GroupClient.key(r)), () -> m.name + " got " + r + ", owns " + m.owned());
                }
            }
            assertEquals(revokedBefore, members.stream().mapToInt(m -> m.frames("revoked").size()).sum(),
                    "a stable group revoked partitions");
            // Auto-commit catches up with what every member acknowledged.
            awaitCommitted(g, c -> c.size() == PARTITIONS && c.values().stream().allMatch(o -> o == 50));
        } finally {
            members.forEach(GroupClient::close);
        }
    }

    /**
     * A member that leaves cleanly commits what it acknowledged and leaves at once: its partitions
     * go to the others well within the session timeout, and they go on from its commit.
     */
    @Test
    void aCleanLeaveMovesPartitionsAtOnceAndTheOthersResumeFromItsCommit() {
        String t = topic("leave", PARTITIONS);
        String g = group("leave");
        List<GroupClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(join("m" + i, g, t, "from=earliest&autoCommitIntervalMs=60000"));
            }
            awaitStable(g, members, all(t, PARTITIONS));
            fill(t, PARTITIONS, "a", 30);
            awaitDelivered(members, "a", PARTITIONS, 30);
            GroupClient leaver = members.get(2);
            Set<String> moved = leaver.owned();
            Map<String, Long> reached = leaver.nextOffsets();
            List<GroupClient> stay = members.subList(0, 2);
            int[] seenBefore = stay.stream().mapToInt(m -> m.frames().size()).toArray();
            long left = System.nanoTime();
            leaver.close();
            Wait.upTo(10).until(() -> split(stay, all(t, PARTITIONS)));
            long tookMs = (System.nanoTime() - left) / 1_000_000;
            assertTrue(tookMs < 10_000, "moved in " + tookMs + " ms, not after the 45 s session timeout");
            for (String p : moved) {
                Long start = null;
                for (int i = 0; i < stay.size() && start == null; i++) {
                    start = stay.get(i).assignedOffset(p, seenBefore[i]);
                }
                assertNotNull(start, p + " was not assigned to a remaining member");
                // The leaver acknowledged everything it got: auto-commit on close committed exactly that.
                assertEquals(reached.getOrDefault(p, 0L), start, p + " resumes from the leaver's commit");
            }
            fill(t, PARTITIONS, "b", 30);
            awaitDelivered(stay, "b", PARTITIONS, 30);
            assertEachOnce(deliveries(members), values("a", PARTITIONS, 30));
            assertEachOnce(deliveries(members), values("b", PARTITIONS, 30));
        } finally {
            members.forEach(GroupClient::close);
        }
    }

    /**
     * A member whose socket drops with no close frame stays in the group until its session timeout;
     * then its partitions move and reading resumes from its last commit: nothing is skipped.
     */
    @Test
    void aDroppedMemberIsRemovedAfterItsSessionTimeoutAndNothingIsSkipped() {
        String t = topic("drop", PARTITIONS);
        String g = group("drop");
        String query = "from=earliest&sessionTimeoutMs=2000&autoCommitIntervalMs=100";
        List<GroupClient> members = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                members.add(join("m" + i, g, t, query));
            }
            awaitStable(g, members, all(t, PARTITIONS));
            fill(t, PARTITIONS, "a", 40);
            awaitDelivered(members, "a", PARTITIONS, 40);
            awaitCommitted(g, c -> c.size() == PARTITIONS && c.values().stream().allMatch(o -> o == 40));
            GroupClient victim = members.get(2);
            Set<String> moved = victim.owned();
            List<GroupClient> stay = members.subList(0, 2);
            int[] seenBefore = stay.stream().mapToInt(m -> m.frames().size()).toArray();
            long dropped = System.nanoTime();
            victim.abort();
            // Produced while the victim's partitions have no live reader: the survivors must get them.
            fill(t, PARTITIONS, "b", 40);
            Wait.upTo(15).until(() -> split(stay, all(t, PARTITIONS)));
            long tookMs = (System.nanoTime() - dropped) / 1_000_000;
            assertTrue(tookMs >= 1_500, "moved after " + tookMs + " ms: before the 2 s session timeout");
            for (String p : moved) {
                Long start = null;
                for (int i = 0; i < stay.size() && start == null; i++) {
                    start = stay.get(i).assignedOffset(p, seenBefore[i]);
                }
                assertEquals(40L, start, p + " resumes from the last commit");
            }
            awaitDelivered(stay, "b", PARTITIONS, 40);
            Map<String, Integer> delivered = deliveries(members);
            for (String v : values("b", PARTITIONS, 40)) {
                assertEquals(1, delivered.get(v), v);
            }
        } finally {
            members.forEach(GroupClient::close);
        }
    }

    /** A partition moving between two members: the old owner's revoked frame arrives before the new owner's assigned. */
    @Test
    void theOldOwnerIsRevokedBeforeTheNewOwnerIsAssigned() {
        String t = topic("order", PARTITIONS);
        String g = group("order");
        try (GroupClient first = join("first", g, t, "")) {
            Wait.upTo(15).until(() -> first.owned().equals(all(t, PARTITIONS)));
            try (GroupClient second = join("second", g, t, "")) {
                awaitStable(g, List.of(first, second), all(t, PARTITIONS));
                List<GroupClient.Frame> assigned = second.frames("assigned");
                assertFalse(assigned.isEmpty());
                for (GroupClient.Frame a : assigned) {
                    for (JsonNode p : a.json().get("partitions")) {
                        String key = GroupClient.key(p);
                        Long revokedAt = revokedAt(first, key);
                        assertNotNull(revokedAt, key + " assigned to the second member, never revoked from the first");
                        assertTrue(revokedAt < a.atNanos(), key + ": assigned before it was revoked");
                        // And the first member got none of its records after its revoked frame.
                        for (GroupClient.Frame f : first.frames("records")) {
                            if (f.json().get("records").get(0).get("partition").asInt() == p.get("partition").asInt()) {
                                assertTrue(f.atNanos() < revokedAt, key + ": records after the revoke");
                            }
                        }
                    }
                }
            }
        }
    }

    private static Long revokedAt(GroupClient c, String partition) {
        for (GroupClient.Frame f : c.frames("revoked")) {
            for (JsonNode p : f.json().get("partitions")) {
                if (GroupClient.key(p).equals(partition)) {
                    return f.atNanos();
                }
            }
        }
        return null;
    }

    /**
     * Cooperative: a member whose partitions stay gets no revoked frame when another leaves; eager:
     * every member gives everything up first.
     */
    @Test
    void cooperativeRevokesOnlyWhatMovesEagerRevokesEverything() {
        for (String protocol : List.of("cooperative", "eager")) {
            String t = topic("proto-" + protocol, PARTITIONS);
            String g = group("proto-" + protocol);
            List<GroupClient> members = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    members.add(join("m" + i, g, t, "rebalance=" + protocol));
                }
                awaitStable(g, members, all(t, PARTITIONS));
                List<GroupClient> stay = members.subList(0, 2);
                int[] revokedBefore = stay.stream().mapToInt(m -> m.frames("revoked").size()).toArray();
                List<Set<String>> ownedBefore = stay.stream().map(GroupClient::owned).toList();
                members.get(2).close();
                awaitStable(g, stay, all(t, PARTITIONS));
                for (int i = 0; i < stay.size(); i++) {
                    GroupClient m = stay.get(i);
                    assertTrue(m.owned().containsAll(ownedBefore.get(i)), protocol + ": sticky keeps what it had");
                    int revoked = m.frames("revoked").size() - revokedBefore[i];
                    if (protocol.equals("cooperative")) {
                        assertEquals(0, revoked, m.name + " lost nothing, so is revoked nothing");
                    } else {
                        assertTrue(revoked >= 1, m.name + ": eager revokes every partition first");
                        JsonNode last = m.frames("revoked").get(m.frames("revoked").size() - 1).json();
                        assertEquals(ownedBefore.get(i).size(), last.get("partitions").size(), last::toString);
                    }
                }
            } finally {
                members.forEach(GroupClient::close);
            }
        }
    }

    /** A commit frame is answered with committed; a commit of a partition not owned is a non-fatal error. */
    @Test
    void aCommitIsAnsweredWithCommitted() {
        String t = topic("commit", 2);
        String g = group("commit");
        fill(t, 2, "a", 10);
        try (GroupClient m = join("m", g, t, "from=earliest&autoCommit=false")) {
            Wait.upTo(15).until(() -> m.owned().size() == 2);
            Wait.upTo(10).until(() -> m.records().size() == 20);
            m.send("{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":0,\"offset\":7},"
                    + "{\"topic\":\"" + t + "\",\"partition\":1,\"offset\":10}]}");
            JsonNode committed = awaitFrame(m, "committed", 0);
            assertEquals(2, committed.get("offsets").size(), committed::toString);
            assertEquals(7, committed.get("offsets").get(0).get("offset").asLong());
            assertEquals(10, committed.get("offsets").get(1).get("offset").asLong());
            assertEquals(Map.of(t + "-0", 7L, t + "-1", 10L), committed(g));
            // A partition this member does not own, and a malformed commit: errors, and the session goes on.
            m.send("{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":5,\"offset\":1}]}");
            awaitFrame(m, "error", 0);
            m.send("{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":-1,\"offset\":1}]}");
            JsonNode bad = awaitFrame(m, "error", 1);
            assertEquals("INVALID_REQUEST", bad.get("code").asText());
            m.send("{\"type\":\"commit\",\"offsets\":[{\"topic\":\"" + t + "\",\"partition\":0,\"offset\":9}]}");
            assertEquals(9, awaitFrame(m, "committed", 1).get("offsets").get(0).get("offset").asLong());
            assertFalse(m.isClosed());
        }
        // autoCommit=false: the clean close committed nothing more.
        Wait.upTo(10).until(() -> describeOrNull(g).path("state").asText().equals("EMPTY"));
        assertEquals(Map.of(t + "-0", 9L, t + "-1", 10L), committed(g));
    }

    static JsonNode awaitFrame(GroupClient c, String type, int seen) {
        Wait.upTo(10).until(() -> c.frames(type).size() > seen);
        return c.frames(type).get(seen).json();
    }
}
