package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.GroupChecks.GroupView;
import io.sluice.it.GroupChecks.Placed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer groups on three broker processes: members on different brokers split a 6-partition
 * RF=3 topic, each record reaches one member; a member that dies without a goodbye loses its
 * partitions after its session timeout and nothing is skipped; a reset is refused while the
 * group has a member and honoured after it left; a commit from a member whose session expired
 * (its broker frozen with SIGSTOP meanwhile) is refused and moves no offset back. The group's
 * description is the same through every broker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GroupClusterIT {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 6;
    private static final int[] ALL = {0, 1, 2};
    /** Members commit often, so that the tests need not wait for the 5 s default. */
    private static final String FAST_COMMITS = "autoCommitIntervalMs=200";

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("GroupClusterIT").build();

    /** Every record produced so far, by value. */
    private static final Map<String, Placed> PRODUCED = new TreeMap<>();

    @Test
    @Order(1)
    void threeMembersOnThreeBrokersSplitTheTopicAndEachRecordReachesOneMember() {
        brokers.client(0).createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, TOPIC);
        String group = "split";
        List<GroupMember> members = new ArrayList<>();
        for (int id : ALL) {
            members.add(GroupMember.join("split-" + id, brokers.broker(id), group, TOPIC, FAST_COMMITS));
        }
        try {
            awaitStable(group, members);
            GroupChecks.assertDisjointAndComplete(members, TOPIC, PARTITIONS);
            int revokedBefore = members.stream().mapToInt(m -> m.frames("revoked").size()).sum();
            Map<String, Set<Integer>> owners = new HashMap<>();
            members.forEach(m -> owners.put(m.name(), m.ownedPartitions(TOPIC)));

            Map<String, Placed> produced = new TreeMap<>();
            for (int batch = 0; batch < 6; batch++) {
                produced.putAll(GroupChecks.produceKeyed(brokers.client(batch % 3), TOPIC, "split" + batch, 100));
            }
            PRODUCED.putAll(produced);
            await().atMost(GroupMember.WAIT).until(() -> GroupChecks.deliveredValues(members).keySet()
                    .containsAll(produced.keySet()));
            Map<String, Integer> delivered = GroupChecks.deliveredValues(members);
            for (String value : produced.keySet()) {
                assertEquals(1, delivered.get(value), () -> value + " was delivered " + delivered.get(value) + " times");
            }
            for (GroupMember m : members) {
                for (GroupMember.Delivered d : m.delivered()) {
                    assertTrue(owners.get(m.name()).contains(d.partition()), () -> m.name() + " owning "
                            + owners.get(m.name()) + " was delivered " + d);
                    Placed at = produced.get(d.value());
                    assertEquals(new Placed(d.partition(), d.offset()), at, () -> d + " was acknowledged at " + at);
                }
            }
            assertEquals(revokedBefore, members.stream().mapToInt(m -> m.frames("revoked").size()).sum(),
                    "a stable group revoked partitions");

            // The description, through every broker: three members, every partition, lag 0 once committed.
            long[] ends = brokers.client(0).logEndOffsets(TOPIC);
            for (int via : ALL) {
                GroupView view = await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> GroupChecks.describe(brokers, group, via), v -> v != null
                                && committedEverywhere(v, ends));
                assertEquals("STABLE", view.state(), view.json()::toString);
                assertEquals(3, view.members().size(), view.json()::toString);
                Set<String> owned = new TreeSet<>();
                view.members().forEach(m -> owned.addAll(m.owned()));
                assertEquals(allPartitions(), owned, view.json()::toString);
                view.members().forEach(m -> assertFalse(m.clientHost().isEmpty(), view.json()::toString));
                // End offsets are the partitions' high watermarks: a broker's own follower replica may
                // learn its high watermark a fetch late, so the describe that shows them may lag a moment.
                GroupView ended = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                        .until(() -> GroupChecks.describe(brokers, group, via), v -> v != null && endsAre(v, ends));
                for (int p = 0; p < PARTITIONS; p++) {
                    GroupChecks.Position pos = ended.offsets().get(TOPIC + "-" + p);
                    assertEquals(pos.endOffset() - pos.committed(), pos.lag(), ended.json()::toString);
                }
                JsonNode list = brokers.client(via).expect(200, "GET", "/groups", null).json();
                assertTrue(list.toString().contains("\"" + group + "\""), list::toString);
            }
            ClusterChecks.report("GroupClusterIT: 3 members on 3 brokers own %s; %d records each delivered once",
                    owners, produced.size());
        } finally {
            members.forEach(GroupMember::leave);
        }
    }

    @Test
    @Order(2)
    void aMemberThatDropsWithoutGoodbyeLosesItsPartitionsAfterItsSessionTimeoutAndNothingIsSkipped() {
        String group = "drop";
        String query = "sessionTimeoutMs=3000&" + FAST_COMMITS;
        List<GroupMember> members = new ArrayList<>();
        for (int id : ALL) {
            members.add(GroupMember.join("drop-" + id, brokers.broker(id), group, TOPIC, query));
        }
        GroupMember victim = members.get(2);
        List<GroupMember> survivors = members.subList(0, 2);
        ChaosProducer producer = new ChaosProducer(brokers, TOPIC, PARTITIONS, 0, "drop");
        try {
            awaitStable(group, members);
            Set<Integer> victimParts = victim.ownedPartitions(TOPIC);
            // The victim has consumed and committed something of the live stream before it dies.
            await().atMost(ClusterChecks.WAIT).until(() -> victim.delivered().stream()
                    .anyMatch(d -> d.value().startsWith("drop-")) && committedOnAll(group, victimParts));
            int[] framesBefore = survivors.stream().mapToInt(GroupMember::frameCount).toArray();
            Map<Integer, Long> victimLast = victim.lastDelivered(TOPIC);
            long abortedAt = System.nanoTime();
            victim.abort();

            await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(10))
                    .until(() -> GroupChecks.disjointAndComplete(survivors, TOPIC, PARTITIONS));
            long movedMs = (System.nanoTime() - abortedAt) / 1_000_000;
            // Heartbeats are a second apart: the last one may have been up to a second before the abort.
            assertTrue(movedMs >= 1_500, "the dead member's partitions moved " + movedMs
                    + " ms after its socket dropped, before its 3000 ms session timeout");
            for (int p : victimParts) {
                int s = survivors.get(0).ownedPartitions(TOPIC).contains(p) ? 0 : 1;
                Long start = survivors.get(s).assignedOffset(TOPIC, p, framesBefore[s]);
                assertNotNull(start, () -> "no assigned frame for " + p + ": " + survivors.get(s).summary());
                // Where the victim itself started: the members joined one by one, so an earlier owner may
                // have consumed and committed the partition before the victim was given it.
                Long victimStart = victim.assignedOffset(TOPIC, p, 0);
                long firstUnseen = Math.max(victimLast.getOrDefault(p, -1L) + 1, victimStart == null ? 0 : victimStart);
                assertTrue(start <= firstUnseen, () -> "partition " + p + " resumes at " + start
                        + " but the dead member, which started it at " + victimStart + ", had only been delivered up to "
                        + victimLast.getOrDefault(p, -1L));
            }
            long settled = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(settled));
        } finally {
            producer.close();
        }
        Set<String> expected = new TreeSet<>(producer.acked().keySet());
        expected.addAll(PRODUCED.keySet());
        await().atMost(ClusterChecks.WAIT).until(() -> GroupChecks.deliveredValues(members).keySet()
                .containsAll(expected));
        Map<String, Integer> delivered = GroupChecks.deliveredValues(members);
        long duplicates = expected.stream().filter(v -> delivered.get(v) > 1).count();
        ClusterChecks.report("GroupClusterIT: member died owning %s; moved after the session timeout, %d acknowledged "
                + "records all delivered (%d more than once: at-least-once after the last commit)",
                victim.ownedPartitions(TOPIC), expected.size(), duplicates);
        survivors.forEach(GroupMember::leave);
    }

    @Test
    @Order(3)
    void aResetIsRefusedWhileTheGroupHasAMemberAndHonouredAfterItLeft() {
        String group = "reset";
        GroupMember member = GroupMember.join("reset-1", brokers.broker(1), group, TOPIC, FAST_COMMITS);
        member.awaitOwned(o -> o.size() == PARTITIONS, "owns every partition");
        await().atMost(ClusterChecks.WAIT).until(() -> member.delivered().size() >= PARTITIONS);
        BrokerClient.Reply refused = brokers.client(2).expect(409, "POST", "/groups/" + group + "/offsets",
                GroupChecks.resetToOffset(TOPIC, 3));
        assertEquals("GROUP_NOT_EMPTY", refused.json().path("code").asText(), refused::body);
        member.leave();

        await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100)).until(
                () -> GroupChecks.describe(brokers, group, 2), v -> v != null && v.members().isEmpty());
        brokers.client(2).expect(200, "POST", "/groups/" + group + "/offsets", GroupChecks.resetToOffset(TOPIC, 3));
        for (int via : ALL) {
            GroupView view = GroupChecks.describe(brokers.client(via), group);
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(3, view.offsets().get(TOPIC + "-" + p).committed(), view.json()::toString);
            }
        }
        GroupMember next = GroupMember.join("reset-0", brokers.broker(0), group, TOPIC, "");
        try {
            next.awaitOwned(o -> o.size() == PARTITIONS, "owns every partition");
            await().atMost(ClusterChecks.WAIT).until(() -> next.lastDelivered(TOPIC).size() == PARTITIONS);
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(3L, next.assignedOffset(TOPIC, p, 0), next.summary());
                int partition = p;
                long first = next.delivered().stream().filter(d -> d.partition() == partition)
                        .mapToLong(GroupMember.Delivered::offset).min().orElseThrow();
                assertEquals(3, first, "first offset delivered of partition " + p + " after the reset");
            }
        } finally {
            next.leave();
        }
    }

    @Test
    @Order(4)
    void partitionsWithNoReplicaOnTheMembersOrTheCoordinatorsBrokerAreReadAndDescribed() {
        // RF=1 on three brokers: the member's broker, and the coordinator's, hold one partition of three;
        // the member reads all three from the start, and describe gives every one's end offset and lag.
        String topic = "single-copies";
        brokers.client(0).createTopic(topic, 3, 1, Map.of());
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, topic);
        for (int p = 0; p < 3; p++) {
            brokers.client(p).produceTo(topic, p, null, List.of("a", "b", "c", "d"));
        }
        String group = "far";
        GroupMember member = GroupMember.join("far-0", brokers.broker(0), group, topic, "autoCommit=false");
        try {
            member.awaitOwned(o -> o.size() == 3, "owns every partition");
            await().atMost(ClusterChecks.WAIT).until(() -> member.delivered().size() >= 12);
            for (int p = 0; p < 3; p++) {
                assertEquals(0L, member.assignedOffset(topic, p, 0), member.summary());
            }
            int before = member.frameCount();
            member.commit(topic, Map.of(0, 1L, 1, 1L, 2, 1L));
            member.awaitFrame("committed", before, json -> true);
            for (int via : ALL) {
                GroupView view = GroupChecks.describe(brokers.client(via), group);
                for (int p = 0; p < 3; p++) {
                    GroupChecks.Position pos = view.offsets().get(topic + "-" + p);
                    assertEquals(new GroupChecks.Position(1, 4, 3), pos, "partition " + p + " through broker " + via
                            + ", coordinator " + view.json().path("coordinator") + ": " + view.json());
                }
            }
        } finally {
            member.leave();
        }
    }

    @Test
    @Order(5)
    void aCommitFromAMemberWhoseSessionExpiredIsRefusedAndMovesNothingBack() {
        String group = "stale";
        GroupMember probe = GroupMember.join("stale-probe", brokers.broker(0), group, TOPIC, "");
        int coordinator = GroupChecks.awaitCoordinator(brokers, group);
        probe.leave();
        int frozen = (coordinator + 1) % 3;
        int other = (coordinator + 2) % 3;
        GroupMember a = GroupMember.join("stale-a", brokers.broker(frozen), group, TOPIC,
                "sessionTimeoutMs=3000&autoCommit=false");
        GroupMember b = GroupMember.join("stale-b", brokers.broker(other), group, TOPIC, FAST_COMMITS);
        try {
            awaitStable(group, List.of(a, b));
            Set<Integer> aParts = a.ownedPartitions(TOPIC);
            Map<Integer, Long> one = new TreeMap<>();
            aParts.forEach(p -> one.put(p, 1L));
            int before = a.frameCount();
            a.commit(TOPIC, one);
            a.awaitFrame("committed", before, json -> true);

            brokers.pause(frozen);
            // a's broker heartbeats no more: after 3 s the coordinator hands a's partitions to b, which reads on.
            b.awaitOwned(o -> o.size() == PARTITIONS, "takes over the expired member's partitions");
            Map<String, Long> moved;
            try {
                moved = await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                        .until(() -> committedOf(group, other, aParts), c -> c != null
                                && c.values().stream().allMatch(o -> o > 1));
            } catch (ConditionTimeoutException e) {
                throw new AssertionError("b owns " + b.owned() + " and was delivered up to " + b.lastDelivered(TOPIC)
                        + ", but the group's committed offsets of " + aParts + " did not move past a's commit of 1: "
                        + GroupChecks.describe(brokers, group, other) + "; b's frames " + b.summary(), e);
            }
            int sent = a.frameCount();
            Map<Integer, Long> zero = new TreeMap<>();
            aParts.forEach(p -> zero.put(p, 0L));
            // Queued in the frozen broker's socket: read once it runs again, by a member the group forgot.
            a.commit(TOPIC, zero);
            brokers.resume(frozen);
            GroupMember.Frame reply = a.awaitFrame(sent, f -> f.type().equals("committed")
                    || f.type().equals("error"), "an answer to the stale commit");
            assertEquals("error", reply.type(), () -> "a commit of a member whose session expired was accepted: "
                    + reply.json());
            // For two seconds, through the broker that stayed up: nothing went below what b committed.
            await().atMost(ClusterChecks.WAIT).during(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> notBelow(committedOf(group, other, aParts), moved));
            // The forgotten member joins again and the group settles with both.
            awaitStable(group, List.of(a, b));
            ClusterChecks.report("GroupClusterIT: stale commit after broker %d was frozen past the session timeout: %s",
                    frozen, reply.json());
        } finally {
            if (brokers.broker(frozen).isPaused()) {
                brokers.resume(frozen);
            }
            a.close();
            b.close();
        }
        try {
            ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the cluster did not heal after broker " + frozen + " ran again: GET /cluster "
                    + ClusterChecks.cluster(brokers, 0) + " / " + ClusterChecks.cluster(brokers, 1) + " / "
                    + ClusterChecks.cluster(brokers, 2) + "; " + TOPIC + " " + ClusterChecks.describe(brokers, TOPIC, 0), e);
        }
    }

    /** Until the members' partitions are disjoint and complete, each owns some, and describe says STABLE. */
    private static void awaitStable(String group, List<GroupMember> members) {
        await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(50)).until(() ->
                GroupChecks.disjointAndComplete(members, TOPIC, PARTITIONS)
                && members.stream().noneMatch(m -> m.ownedPartitions(TOPIC).isEmpty())
                && stableSomewhere(group, members.size()));
    }

    private static boolean stableSomewhere(String group, int members) {
        for (int id : ALL) {
            GroupView view = GroupChecks.describe(brokers, group, id);
            if (view != null) {
                return view.state().equals("STABLE") && view.members().size() == members;
            }
        }
        return false;
    }

    private static boolean endsAre(GroupView view, long[] ends) {
        for (int p = 0; p < PARTITIONS; p++) {
            GroupChecks.Position pos = view.offsets().get(TOPIC + "-" + p);
            if (pos == null || pos.endOffset() != ends[p]) {
                return false;
            }
        }
        return true;
    }

    private static boolean committedEverywhere(GroupView view, long[] ends) {
        for (int p = 0; p < PARTITIONS; p++) {
            GroupChecks.Position pos = view.offsets().get(TOPIC + "-" + p);
            if (pos == null || pos.committed() != ends[p]) {
                return false;
            }
        }
        return true;
    }

    /** True when {@code now} is known and no offset in it is below the one {@code floor} has for its partition. */
    private static boolean notBelow(Map<String, Long> now, Map<String, Long> floor) {
        if (now == null) {
            return true; // the broker did not answer this time: nothing seen, nothing wrong
        }
        for (Map.Entry<String, Long> e : now.entrySet()) {
            if (e.getValue() < floor.get(e.getKey())) {
                throw new AssertionError(e.getKey() + ": committed offset went back from " + floor.get(e.getKey())
                        + " to " + e.getValue() + " after a stale commit of 0");
            }
        }
        return true;
    }

    private static boolean committedOnAll(String group, Set<Integer> partitions) {
        Map<String, Long> c = committedOf(group, 0, partitions);
        return c != null && c.values().stream().allMatch(o -> o > 0);
    }

    /** The committed offsets of {@code partitions} through broker {@code via}, or null if some has none. */
    private static Map<String, Long> committedOf(String group, int via, Set<Integer> partitions) {
        GroupView view = GroupChecks.describe(brokers, group, via);
        if (view == null) {
            return null;
        }
        Map<String, Long> out = new TreeMap<>();
        for (int p : partitions) {
            Long c = view.committed().get(TOPIC + "-" + p);
            if (c == null) {
                return null;
            }
            out.put(TOPIC + "-" + p, c);
        }
        return out;
    }

    private static Set<String> allPartitions() {
        Set<String> all = new TreeSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            all.add(TOPIC + "-" + p);
        }
        return all;
    }
}
