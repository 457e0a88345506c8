package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.it.GroupChecks.GroupView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of the broker that coordinates a group (the leader of the group's partition of
 * {@code __consumer_offsets}) while its members, on the two other brokers, consume a live stream
 * and auto-commit: another broker takes the group over, the members rejoin there and keep
 * consuming, every acknowledged record is delivered, and no committed offset ever goes backwards,
 * as {@code GET /groups/{g}} shows it through the survivors every 100 ms, during the takeover and
 * after the dead broker came back.
 */
class GroupFailoverIT {
    private static final String TOPIC = "payments";
    private static final int PARTITIONS = 6;
    private static final int[] ALL = {0, 1, 2};
    private static final String GROUP = "ledger";

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("GroupFailoverIT").build();

    @Test
    void theCoordinatorKilledMidStreamHandsTheGroupOverAndNoCommittedOffsetGoesBack() {
        brokers.client(0).createTopic(TOPIC, PARTITIONS, 3, Map.of("min.insync.replicas", "2"));
        ClusterChecks.awaitFullIsr(brokers, TOPIC, ALL);
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, TOPIC);
        // A first member creates the offsets topic; then the coordinator is known and the real members avoid it.
        GroupMember probe = GroupMember.join("probe", brokers.broker(0), GROUP, TOPIC, "");
        int coordinator = GroupChecks.awaitCoordinator(brokers, GROUP);
        probe.leave();
        ClusterChecks.awaitFullIsr(brokers, GroupChecks.OFFSETS_TOPIC, ALL);
        int[] survivors = {(coordinator + 1) % 3, (coordinator + 2) % 3};
        String query = "sessionTimeoutMs=6000&autoCommitIntervalMs=200";
        List<GroupMember> members = List.of(
                GroupMember.join("m0", brokers.broker(survivors[0]), GROUP, TOPIC, query),
                GroupMember.join("m1", brokers.broker(survivors[1]), GROUP, TOPIC, query),
                GroupMember.join("m2", brokers.broker(survivors[1]), GROUP, TOPIC, query));
        CommitWatch watch = new CommitWatch(survivors);
        ChaosProducer producer = new ChaosProducer(brokers, TOPIC, PARTITIONS, survivors[0], "pay");
        long killedAt;
        int newCoordinator;
        try {
            await().atMost(ClusterChecks.WAIT).until(() -> GroupChecks.disjointAndComplete(members, TOPIC, PARTITIONS)
                    && watch.seen() > 10 && watch.committedPartitions() == PARTITIONS);
            brokers.kill9(coordinator);
            killedAt = System.nanoTime();
            newCoordinator = await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> GroupChecks.coordinator(brokers, GROUP, survivors[0]),
                            c -> c >= 0 && c != coordinator);
            long takenOver = System.nanoTime();
            // Members keep consuming: each partition delivers records produced after the takeover.
            Map<Integer, Long> endsAtTakeover = endOffsets(survivors[0]);
            await().atMost(ClusterChecks.WAIT).until(() -> GroupChecks.disjointAndComplete(members, TOPIC, PARTITIONS)
                    && deliveredBeyond(members, endsAtTakeover));
            long consuming = System.nanoTime();
            // ... and commit at the new coordinator.
            Map<String, Long> atTakeover = watch.latest();
            await().atMost(ClusterChecks.WAIT).until(() -> advancedEverywhere(watch.latest(), atTakeover));
            ClusterChecks.report("GroupFailoverIT: coordinator %d killed; broker %d coordinates after %d ms; every "
                    + "partition delivers again after %d ms", coordinator, newCoordinator,
                    (takenOver - killedAt) / 1_000_000, (consuming - killedAt) / 1_000_000);
        } finally {
            producer.close();
        }
        Set<String> expected = new TreeSet<>(producer.acked().keySet());
        await().atMost(ClusterChecks.WAIT).until(() -> GroupChecks.deliveredValues(members).keySet()
                .containsAll(expected));
        // Once everything is delivered and credited, auto-commit reaches the end of every partition.
        Map<Integer, Long> ends = endOffsets(survivors[0]);
        await().atMost(ClusterChecks.WAIT).until(() -> {
            Map<String, Long> latest = watch.latest();
            return ends.entrySet().stream().allMatch(e -> ends.get(e.getKey()).equals(latest.get(TOPIC + "-" + e.getKey())));
        });
        brokers.restart(coordinator);
        ClusterChecks.awaitFullIsr(brokers, GroupChecks.OFFSETS_TOPIC, ALL);
        long restarted = System.nanoTime();
        await().atMost(ClusterChecks.WAIT).until(() -> watch.seenSince(restarted) > 20);
        watch.close();
        members.forEach(GroupMember::close);
        assertTrue(watch.backwards().isEmpty(), () -> "committed offsets went back: " + watch.backwards());
        assertEquals(ends.size(), PARTITIONS);
        assertNotEquals(coordinator, newCoordinator);
        Map<String, Integer> delivered = GroupChecks.deliveredValues(members);
        ClusterChecks.report("GroupFailoverIT: %d acknowledged records all delivered (%d more than once), %d group "
                + "descriptions polled, no committed offset went back; final %s", expected.size(),
                expected.stream().filter(v -> delivered.get(v) > 1).count(), watch.seen(), watch.latest());
    }

    private static Map<Integer, Long> endOffsets(int via) {
        long[] ends = brokers.client(via).logEndOffsets(TOPIC);
        Map<Integer, Long> out = new TreeMap<>();
        for (int p = 0; p < ends.length; p++) {
            out.put(p, ends[p]);
        }
        return out;
    }

    private static boolean deliveredBeyond(List<GroupMember> members, Map<Integer, Long> ends) {
        Map<Integer, Long> last = GroupChecks.lastDelivered(members, TOPIC);
        return ends.entrySet().stream().allMatch(e -> last.getOrDefault(e.getKey(), -1L) >= e.getValue());
    }

    private static boolean advancedEverywhere(Map<String, Long> now, Map<String, Long> before) {
        return before.entrySet().stream().allMatch(e -> now.getOrDefault(e.getKey(), -1L) > e.getValue());
    }

    /**
     * Polls {@code GET /groups/{g}} through the given brokers in turn every 100 ms and books any
     * committed offset lower than one seen before (through any broker).
     */
    private static final class CommitWatch implements AutoCloseable {
        private final Map<String, Long> highest = new ConcurrentHashMap<>();
        private final List<String> backwards = new CopyOnWriteArrayList<>();
        private final List<Long> seenAt = new CopyOnWriteArrayList<>();
        private final AtomicInteger next = new AtomicInteger();
        private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor();

        CommitWatch(int[] via) {
            poller.scheduleWithFixedDelay(() -> poll(via[next.getAndIncrement() % via.length]), 0, 100,
                    TimeUnit.MILLISECONDS);
        }

        private void poll(int id) {
            GroupView view = GroupChecks.describe(brokers, GROUP, id);
            if (view == null) {
                return;
            }
            seenAt.add(System.nanoTime());
            view.committed().forEach((tp, offset) -> {
                long max = highest.merge(tp, offset, Math::max);
                if (offset < max) {
                    backwards.add(tp + " " + max + " -> " + offset + " through broker " + id);
                }
            });
        }

        int seen() {
            return seenAt.size();
        }

        long seenSince(long nanos) {
            return seenAt.stream().filter(t -> t - nanos > 0).count();
        }

        int committedPartitions() {
            return highest.size();
        }

        /** The highest committed offset seen per partition (the latest, as long as none went back). */
        Map<String, Long> latest() {
            return new TreeMap<>(highest);
        }

        List<String> backwards() {
            return new ArrayList<>(backwards);
        }

        @Override
        public void close() {
            poller.shutdownNow();
        }
    }
}
