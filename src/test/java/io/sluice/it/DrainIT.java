package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.it.ClusterChecks.PartitionView;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Drains on three broker processes: a drain asked over HTTP of one broker moves every leadership
 * of another, which {@code GET /cluster} then shows draining; bad requests are refused with
 * problem+json; and a broker stopped with SIGTERM (plain {@code kill}) while a producer writes
 * acks=all records hands its leaderships over before it exits, losing no acknowledged record.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainIT {
    private static final int BROKERS = 3;
    private static final int PARTITIONS = 3;
    private static final int[] ALL = {0, 1, 2};
    private static final Map<String, String> TOPIC_CONFIG = Map.of("min.insync.replicas", "2");

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("DrainIT").brokers(BROKERS).build();

    /**
     * Brokers started side by side may each be ready in a view of their own before the views merge:
     * a topic of replication factor 3 needs all three registered, in one view.
     */
    private static void awaitOneCluster() {
        for (int id : ALL) {
            await().atMost(ClusterChecks.WAIT).until(() -> ClusterChecks.wholeCluster(brokers, id));
        }
    }

    private static JsonNode member(JsonNode cluster, int id) {
        for (JsonNode b : cluster.get("brokers")) {
            if (b.get("id").asInt() == id) {
                return b;
            }
        }
        throw new AssertionError("broker " + id + " is not in " + cluster);
    }

    private static boolean leadsNothing(List<PartitionView> views, int broker) {
        return views != null && views.stream().allMatch(v -> v.leader() >= 0 && v.leader() != broker);
    }

    private static void expectProblem(int status, String code, String method, String path) {
        BrokerClient.Reply reply = brokers.client(0).expect(status, method, path, null);
        assertTrue(reply.contentType().startsWith("application/problem+json"), () -> path + ": " + reply);
        assertEquals(code, reply.json().get("code").asText(), reply::body);
    }

    @Test
    @Order(1)
    void aDrainAskedOverHttpMovesEveryLeadershipAndShowsInTheCluster() {
        String topic = "drained";
        awaitOneCluster();
        brokers.client(0).createTopic(topic, PARTITIONS, BROKERS, TOPIC_CONFIG);
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        int x = ClusterChecks.describe(brokers, topic, 0, 0).leader();
        int asker = (x + 1) % BROKERS;

        JsonNode drained = brokers.client(asker).expect(200, "POST", "/cluster/brokers/" + x + "/drain?timeoutMs=30000",
                null).json();
        assertEquals(x, drained.get("broker").asInt());
        assertTrue(drained.get("draining").asBoolean());
        assertEquals(0, drained.get("leaderships").asInt(), drained::toString);
        JsonNode cluster = brokers.client(x).expect(200, "GET", "/cluster", null).json();
        assertTrue(member(cluster, x).get("draining").asBoolean(), cluster::toString);
        assertFalse(member(cluster, asker).get("draining").asBoolean(), cluster::toString);
        assertEquals(0, cluster.get("offlinePartitions").asInt(), cluster::toString);
        assertTrue(cluster.get("underReplicatedPartitions").isIntegralNumber(), cluster::toString);
        assertTrue(leadsNothing(ClusterChecks.describe(brokers, topic, asker), x));

        expectProblem(400, "INVALID_REQUEST", "POST", "/cluster/brokers/" + x + "/drain?timeoutMs=-1");
        expectProblem(400, "INVALID_REQUEST", "POST", "/cluster/brokers/" + x + "/drain?timeoutMs=120001");
        expectProblem(400, "INVALID_REQUEST", "POST", "/cluster/brokers/" + x + "/drain?timeoutMs=soon");
        expectProblem(400, "INVALID_REQUEST", "POST", "/cluster/brokers/one/drain");
        expectProblem(404, "BROKER_NOT_FOUND", "POST", "/cluster/brokers/99/drain?timeoutMs=0");
        expectProblem(404, "BROKER_NOT_FOUND", "DELETE", "/cluster/brokers/99/drain");

        JsonNode undrained = brokers.client(asker).expect(200, "DELETE", "/cluster/brokers/" + x + "/drain", null)
                .json();
        assertEquals(x, undrained.get("broker").asInt());
        assertFalse(undrained.get("draining").asBoolean());
        await().atMost(ClusterChecks.WAIT).until(() -> ClusterChecks.describe(brokers, topic, 0, asker).leader() == x);
        assertFalse(member(brokers.client(asker).expect(200, "GET", "/cluster", null).json(), x).get("draining")
                .asBoolean());
    }

    @Test
    @Order(2)
    void sigtermHandsLeadershipOverBeforeExitAndLosesNoAcknowledgedRecord() throws Exception {
        String topic = "stopped";
        awaitOneCluster();
        brokers.client(0).createTopic(topic, PARTITIONS, BROKERS, TOPIC_CONFIG);
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        List<PartitionView> before = ClusterChecks.describe(brokers, topic, 0);
        int x = before.get(0).leader();
        int target = (x + 1) % BROKERS;
        Map<Integer, Integer> ledBefore = new HashMap<>();
        before.stream().filter(v -> v.leader() == x).forEach(v -> ledBefore.put(v.partition(), v.leaderEpoch()));

        long started = System.nanoTime();
        ChaosProducer producer = new ChaosProducer(brokers, topic, PARTITIONS, target);
        try {
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(started));
            BrokerProcess victim = brokers.broker(x);
            AtomicBoolean movedWhileAlive = new AtomicBoolean();
            Thread observer = new Thread(() -> {
                while (victim.isAlive() && !movedWhileAlive.get()) {
                    List<PartitionView> views = ClusterChecks.describe(brokers, topic, target);
                    if (leadsNothing(views, x) && victim.isAlive()) {
                        movedWhileAlive.set(true);
                    }
                }
            }, "drain-observer");
            observer.start();
            long stoppedAt = System.nanoTime();
            Signals.send(victim.pid(), "TERM");
            await().atMost(Duration.ofSeconds(60)).until(() -> !victim.isAlive());
            long exitMs = (System.nanoTime() - stoppedAt) / 1_000_000;
            observer.join(10_000);
            assertTrue(movedWhileAlive.get(), "the stopping broker's leaderships had not moved before it exited");
            assertTrue(victim.tail(1 << 16).contains("drained before shutdown"), () -> victim.tail(8192));

            List<PartitionView> after = ClusterChecks.describe(brokers, topic, target);
            for (Map.Entry<Integer, Integer> e : ledBefore.entrySet()) {
                PartitionView v = after.get(e.getKey());
                assertNotEquals(x, v.leader(), v::toString);
                assertTrue(v.leaderEpoch() > e.getValue(), () -> "no new leader epoch: " + v);
            }
            long exited = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(exited));
            ClusterChecks.report("DrainIT: SIGTERM to broker %d (leading partitions %s) exited after %d ms, its "
                    + "leaderships moved first", x, ledBefore.keySet(), exitMs);

            brokers.restart(x);
            ClusterChecks.awaitFullIsr(brokers, topic, ALL);
            JsonNode cluster = brokers.client(target).expect(200, "GET", "/cluster", null).json();
            assertFalse(member(cluster, x).get("draining").asBoolean(), "a restarted broker starts undrained");
            long whole = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(whole));
        } finally {
            producer.close();
        }
        ClusterChecks.verifyRecords(brokers, topic, PARTITIONS, producer, ALL);
        ClusterChecks.report("DrainIT: %d acknowledged, %d unknown, %d refused; not acknowledged: %s",
                producer.acked().size(), producer.unknown().size(), producer.refused().size(), producer.reasons());
    }
}
