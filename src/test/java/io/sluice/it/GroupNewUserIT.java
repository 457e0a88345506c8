package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.it.GroupChecks.GroupView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A consumer group end to end on one broker started as README starts it ({@code java -jar
 * quarkus-run.jar} in an empty directory, every setting its default but the loopback bind), with
 * the group's defaults too (sticky, cooperative, auto-commit every 5 s, 45 s session): two
 * members split a topic, one leaves cleanly and the other takes its partitions from where the
 * leaver committed, the group's committed offsets reach the end once the last member leaves, and
 * a member that comes back reads only what was produced after.
 */
class GroupNewUserIT {
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;

    @Test
    void aGroupOnTheDefaultsSplitsATopicHandsOverOnLeaveAndResumesFromItsCommits() {
        NewUserPathIT.awaitDefaultPortFree();
        Path workDir = BrokerProcess.freshDataDir("GroupNewUserIT-cwd");
        try (BrokerProcess broker = BrokerProcess.startAsUser("GroupNewUserIT", workDir, Map.of())) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic(TOPIC, PARTITIONS, Map.of());
            GroupMember first = GroupMember.open("first", broker, "group=billing&topic=orders&from=earliest");
            GroupMember second = GroupMember.open("second", broker, "group=billing&topic=orders&from=earliest");
            List<GroupMember> both = List.of(first, second);
            await().atMost(GroupMember.WAIT).until(() -> GroupChecks.disjointAndComplete(both, TOPIC, PARTITIONS)
                    && !first.owned().isEmpty() && !second.owned().isEmpty());
            // Produced once the group is settled, so that no partition moves while its records are in flight.
            Map<String, GroupChecks.Placed> produced = new TreeMap<>(GroupChecks.produceKeyed(client, TOPIC, "o", 90));
            await().atMost(GroupMember.WAIT).until(() -> GroupChecks.deliveredValues(both).keySet()
                    .containsAll(produced.keySet()));
            Set<Integer> firstParts = first.ownedPartitions(TOPIC);
            int before = second.frameCount();
            // A clean close commits what the member acknowledged, then leaves at once: its
            // partitions move to the other member at the offsets it committed, not after 45 s.
            Map<Integer, Long> firstLast = first.lastDelivered(TOPIC);
            long leftAt = System.nanoTime();
            first.leave();
            second.awaitOwned(o -> o.size() == PARTITIONS, "takes the leaver's partitions");
            long movedMs = (System.nanoTime() - leftAt) / 1_000_000;
            assertTrue(movedMs < 10_000, "a clean leave moved its partitions only after " + movedMs + " ms");
            for (int p : firstParts) {
                assertEquals(firstLast.getOrDefault(p, -1L) + 1, second.assignedOffset(TOPIC, p, before),
                        "partition " + p + " resumes after the last record the leaver acknowledged");
            }
            Map<String, GroupChecks.Placed> more = GroupChecks.produceKeyed(client, TOPIC, "p", 30);
            produced.putAll(more);
            await().atMost(GroupMember.WAIT).until(() -> GroupChecks.deliveredValues(both).keySet()
                    .containsAll(more.keySet()));
            Map<String, Integer> delivered = GroupChecks.deliveredValues(both);
            produced.keySet().forEach(v -> assertEquals(1, delivered.get(v), v + " delivered " + delivered.get(v)));
            second.leave();

            long[] ends = client.logEndOffsets(TOPIC);
            GroupView view = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .until(() -> GroupChecks.describe(client, "billing"), v -> v.members().isEmpty());
            assertEquals("EMPTY", view.state(), view.json()::toString);
            for (int p = 0; p < PARTITIONS; p++) {
                GroupChecks.Position pos = view.offsets().get(TOPIC + "-" + p);
                assertEquals(ends[p], pos.committed(), view.json()::toString);
                assertEquals(0, pos.lag(), view.json()::toString);
            }

            GroupMember back = GroupMember.open("back", broker, "group=billing&topic=orders&from=earliest");
            try {
                back.awaitOwned(o -> o.size() == PARTITIONS, "owns every partition");
                Map<String, GroupChecks.Placed> late = GroupChecks.produceKeyed(client, TOPIC, "late", 6);
                await().atMost(GroupMember.WAIT).until(() -> back.delivered().size() >= late.size());
                assertEquals(late.keySet(), GroupChecks.deliveredValues(List.of(back)).keySet(),
                        "a member back after its group committed everything reads only what came after");
            } finally {
                back.leave();
            }
        }
    }
}
