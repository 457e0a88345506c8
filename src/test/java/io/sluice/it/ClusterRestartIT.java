package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Restarts that take the cluster's memory with them: all three brokers killed ({@code kill -9})
 * and started again in reverse order, and the controller killed in the middle of a reassignment.
 * Topics, records and leadership must come back, and the reassignment must finish, with no
 * acknowledged record lost.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterRestartIT {
    private static final int[] ALL = {0, 1, 2};

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("ClusterRestartIT").build();

    @Test
    @Order(1)
    void theWholeClusterKilledAndStartedInReverseOrderComesBackWhole() {
        String topic = "durable";
        brokers.client(0).createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        ChaosProducer producer = new ChaosProducer(brokers, topic, 3, 0);
        try {
            long started = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.acked().size() >= 300
                    && producer.ackedEverywhereSince(started));
        } finally {
            producer.close();
        }
        for (int id : ALL) {
            brokers.kill9(id);
        }

        long launched = System.nanoTime();
        for (int id = 2; id >= 0; id--) {
            // Each started once the one before it serves HTTP: the last broker killed comes back first.
            BrokerProcess broker = brokers.broker(id);
            BrokerClient client = brokers.client(id);
            broker.launch();
            await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(50))
                    .failFast("broker " + id + " exited", () -> !broker.isAlive())
                    .until(() -> live(client));
        }
        for (int id : ALL) {
            brokers.broker(id).awaitReady();
        }
        long ready = System.nanoTime();
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        long whole = System.nanoTime();

        List<Map<String, Long>> found = ClusterChecks.verifyRecords(brokers, topic, 3, producer, ALL);
        for (int p = 0; p < 3; p++) {
            long[] offsets = brokers.client(p).produceTo(topic, p, null, List.of("after the restart"));
            assertEquals(found.get(p).size(), offsets[0], "the next offset of partition " + p);
        }
        ClusterChecks.report("ClusterRestartIT: %d acknowledged (%d unknown) before kill -9 of all three; started "
                + "2, 1, 0: all ready after %d ms, every partition led with a full ISR after %d ms, all present",
                producer.acked().size(), producer.unknown().size(), (ready - launched) / 1_000_000,
                (whole - launched) / 1_000_000);
    }

    @Test
    @Order(2)
    void aReassignmentWhoseControllerIsKilledMidwayFinishes() {
        String topic = "moving";
        brokers.client(0).createTopic(topic, 1, 2, Map.of());
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        List<Integer> replicas = ClusterChecks.describe(brokers, topic, 0, 0).replicas();
        int newcomer = java.util.stream.IntStream.of(ALL).filter(id -> !replicas.contains(id)).findFirst().orElseThrow();
        // Keep the first replica, replace the second with the broker that holds none.
        List<Integer> target = List.of(newcomer, replicas.get(0));
        // A new topic's leader may refuse records for a moment (aNewTopicTakesRecordsAtOnce): not this test's concern.
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, topic);
        brokers.client(0).produceTo(topic, 0, null, List.of("first"));
        // Enough data that the newcomer takes a moment to catch up.
        for (int batch = 0; batch < 20; batch++) {
            brokers.client(batch % 3).produceTo(topic, 0, null, values("bulk-" + batch, 250));
        }
        int controller = brokers.client(0).expect(200, "GET", "/cluster", null).json().get("controller").asInt();
        ChaosProducer producer = new ChaosProducer(brokers, topic, 1, (controller + 1) % 3);
        JsonNode accepted;
        long killedAt;
        try {
            long started = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedSince(0, started));
            accepted = brokers.client((controller + 1) % 3).expect(202, "POST", "/topics/" + topic + "/reassignments",
                    Map.of("partitions", List.of(Map.of("partition", 0, "replicas", target)))).json();
            brokers.kill9(controller);
            killedAt = System.nanoTime();
            brokers.restart(controller);
            await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(100))
                    .until(() -> reassignment(topic, (controller + 2) % 3), r -> r != null
                            && r.get("targetReplicas").isEmpty() && ints(r.get("replicas")).equals(target)
                            && ints(r.get("isr")).containsAll(target));
            long doneAt = System.nanoTime();
            ClusterChecks.awaitFullIsr(brokers, topic, ALL);
            long settled = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedSince(0, settled));
            ClusterChecks.report("ClusterRestartIT: reassignment %s -> %s (accepted: %s), controller %d killed at "
                    + "once and restarted; done %d ms after the kill", replicas, target, accepted.get("partitions"),
                    controller, (doneAt - killedAt) / 1_000_000);
        } finally {
            producer.close();
        }
        Map<String, Long> found = ClusterChecks.verifyRecords(brokers, topic, 1, producer, ALL).get(0);
        assertEquals(5001 + producer.acked().size(), found.size() - foundUnknown(found, producer),
                "the bulk records and every acknowledged one");
        int removed = replicas.get(1);
        assertTrue(ClusterChecks.describe(brokers, topic, 0, 0).replicas().equals(target));
        await().atMost(ClusterChecks.WAIT).until(() -> !java.nio.file.Files.exists(SegmentFiles.partitionDir(
                brokers.broker(removed).dataDir(), topic, 0)));
        ClusterChecks.report("ClusterRestartIT: reassignment: %d acknowledged during the move, %d unknown %s, all "
                + "present; the dropped replica's directory on broker %d is gone", producer.acked().size(),
                producer.unknown().size(), producer.reasons(), removed);
    }

    @Test
    @Order(3)
    void aNewTopicTakesRecordsAtOnce() {
        // POST /topics answers once the broker that took it serves the topic, every partition led:
        // a record produced right after, through any broker, must be written. Through each
        // partition's leader first (two of the three did not create the topic), then through another.
        for (int via : ALL) {
            String topic = "fresh-" + via;
            brokers.client(via).createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
            List<ClusterChecks.PartitionView> views = ClusterChecks.describe(brokers, topic, via);
            for (int p = 0; p < 3; p++) {
                int leader = views.get(p).leader();
                assertEquals(0, produceToNew(leader, topic, p, "first"),
                        topic + "-" + p + " through its leader, broker " + leader + " (created through " + via + ")");
                int other = (leader + 1) % 3;
                assertEquals(1, produceToNew(other, topic, p, "second"), topic + "-" + p + " through broker " + other);
            }
        }
    }

    /**
     * Produces one record to a partition of a topic just created. A leader that did not create the
     * topic takes records once it has listed the bucket for the partition (until then it refuses
     * with TIER_UNAVAILABLE and writes nothing), so that refusal is tried again for a few seconds;
     * any other answer counts at once.
     */
    private static long produceToNew(int via, String topic, int partition, String value) {
        AtomicLong offset = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                offset.set(brokers.client(via).produceTo(topic, partition, null, List.of(value))[0]);
                return true;
            } catch (AssertionError refused) {
                if (String.valueOf(refused.getMessage()).contains("TIER_UNAVAILABLE")) {
                    return false;
                }
                throw refused;
            }
        });
        return offset.get();
    }

    /** The ids of {@code producer}'s unknown outcomes that are in the log. */
    private static long foundUnknown(Map<String, Long> found, ChaosProducer producer) {
        return producer.unknown().stream().filter(found::containsKey).count();
    }

    /** Partition 0's entry of {@code GET /topics/{t}/reassignments} through broker {@code via}, or null. */
    private static JsonNode reassignment(String topic, int via) {
        try {
            BrokerClient.Reply reply = brokers.client(via).send("GET", "/topics/" + topic + "/reassignments", null);
            return reply.status() == 200 ? reply.json().get("partitions").get(0) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static List<String> values(String prefix, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(prefix + "-" + i + "-" + "v".repeat(200));
        }
        return out;
    }

    private static boolean live(BrokerClient client) {
        try {
            return client.send("GET", "/q/health/live", null).status() == 200;
        } catch (IOException e) {
            return false;
        }
    }
}
