package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.it.GroupChecks.GroupView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole cluster killed ({@code kill -9} of all three brokers) and started again: a group's
 * committed offsets, replayed from {@code __consumer_offsets} by whichever broker leads the
 * group's partition now, are what they were (describe through every broker equals the one
 * before), and a member that connects again resumes exactly from them.
 */
class GroupRestartIT {
    private static final String TOPIC = "invoices";
    private static final int PARTITIONS = 4;
    private static final int[] ALL = {0, 1, 2};
    private static final String GROUP = "billing";

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("GroupRestartIT").build();

    @Test
    void committedOffsetsSurviveAWholeClusterKillAndAReconnectingMemberResumesFromThem() {
        brokers.client(0).createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, TOPIC);
        for (int p = 0; p < PARTITIONS; p++) {
            brokers.client(p % 3).produceTo(TOPIC, p, null, values("before-" + p, 50));
        }
        // Explicit commits, a different offset per partition: what the restart must keep.
        Map<Integer, Long> commits = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            commits.put(p, 10L + 7 * p);
        }
        GroupMember member = GroupMember.join("first", brokers.broker(1), GROUP, TOPIC, "autoCommit=false");
        member.awaitOwned(o -> o.size() == PARTITIONS, "owns every partition");
        int before = member.frameCount();
        member.commit(TOPIC, commits);
        member.awaitFrame("committed", before, json -> true);
        member.leave();
        Map<String, Long> expected = new TreeMap<>();
        commits.forEach((p, o) -> expected.put(TOPIC + "-" + p, o));
        for (int via : ALL) {
            assertEquals(expected, GroupChecks.describe(brokers.client(via), GROUP).committed(), "through " + via);
        }
        GroupView described = GroupChecks.describe(brokers.client(0), GROUP);

        for (int id : ALL) {
            brokers.kill9(id);
        }
        long launched = System.nanoTime();
        for (int id : ALL) {
            brokers.broker(id).launch();
        }
        for (int id : ALL) {
            brokers.broker(id).awaitReady();
        }
        for (int via : ALL) {
            GroupView view = await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> GroupChecks.describe(brokers, GROUP, via), v -> v != null && !v.committed().isEmpty());
            assertEquals(expected, view.committed(), () -> "through broker " + via + ": " + view.json());
            // A high watermark checkpointed before the last produce comes back low after kill -9,
            // and rises once the followers fetch again: end offsets and lag catch up, commits never move.
            GroupView settled = await("end offsets through " + via + " back to " + described.offsets())
                    .atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> GroupChecks.describe(brokers, GROUP, via),
                            v -> v != null && described.offsets().equals(v.offsets()));
            assertEquals(expected, settled.committed(), () -> "through broker " + via + ": " + settled.json());
        }
        long recovered = System.nanoTime();

        GroupMember again = GroupMember.join("again", brokers.broker(2), GROUP, TOPIC, "autoCommit=false");
        try {
            again.awaitOwned(o -> o.size() == PARTITIONS, "owns every partition after the restart");
            await().atMost(ClusterChecks.WAIT).until(() -> again.lastDelivered(TOPIC).size() == PARTITIONS);
            for (int p = 0; p < PARTITIONS; p++) {
                assertEquals(commits.get(p), again.assignedOffset(TOPIC, p, 0), again.summary());
                int partition = p;
                long first = again.delivered().stream().filter(d -> d.partition() == partition)
                        .mapToLong(GroupMember.Delivered::offset).min().orElseThrow();
                assertEquals((long) commits.get(p), first, "first offset delivered of partition " + p);
            }
        } finally {
            again.leave();
        }
        ClusterChecks.report("GroupRestartIT: committed offsets %s intact after kill -9 of all three; describe "
                + "equal through every broker %d ms after the launch", expected, (recovered - launched) / 1_000_000);
    }

    private static List<String> values(String prefix, int count) {
        return java.util.stream.IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).toList();
    }
}
