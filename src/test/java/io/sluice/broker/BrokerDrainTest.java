package io.sluice.broker;

import static io.sluice.broker.InJvmCluster.ReplicationPorts.EPHEMERAL;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.error.ErrorCode;
import io.sluice.error.SluiceException;
import io.sluice.log.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Draining a broker of three in one JVM (real JGroups, Infinispan and replication on 127.0.0.1):
 * its leaderships move to other in-sync replicas at new epochs without losing an acknowledged
 * record, it is not made preferred leader again while it drains, and it leads its preferred
 * partitions again once undrained; a partition it alone holds in sync stays with it (and the drain
 * answers at once: nothing can move); a restarted broker starts undrained.
 */
class BrokerDrainTest {
    private static final int BROKERS = 3;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Longer than the controller's preferred-leader settle (5 s), so a restore would have happened. */
    private static final Duration PAST_SETTLE = Duration.ofSeconds(7);

    @TempDir
    Path dir;

    @AutoClose private final InJvmCluster cluster = new InJvmCluster(() -> dir, BROKERS, EPHEMERAL);
    private final Broker[] brokers = cluster.brokers();

    private static boolean fullIsr(Broker b, String topic) {
        return b.partitionInfos(topic).stream().allMatch(p -> p.isr().size() == p.replicas().size() && p.leader() >= 0);
    }

    private static long led(Broker via, String topic, int broker) {
        return via.partitionInfos(topic).stream().filter(p -> p.leader() == broker).count();
    }

    private static boolean draining(Broker via, int broker) {
        return via.clusterView().brokers().stream().filter(m -> m.id() == broker).findFirst().orElseThrow().draining();
    }

    private static void produceOneEach(Broker via, String topic, int partitions, String prefix) {
        List<ProduceRecord> records = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            records.add(new ProduceRecord(p, null, (prefix + p).getBytes(StandardCharsets.UTF_8), null, List.of()));
        }
        List<RecordResult> results = via.produce(topic, records, Acks.ALL, null).join();
        results.forEach(r -> assertNull(r.error(), () -> "produce failed: " + r));
    }

    private static List<String> values(Broker via, String topic, int partition) {
        List<LogRecord> records = via.fetch(topic, partition, 0, 100, 1 << 20, 0).join().records();
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void drainMovesEveryLeadershipAwayAndUndrainBringsThePreferredOnesBack() {
        cluster.startAll(WAIT);
        String topic = "orders";
        int partitions = 6;
        brokers[0].createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "2"));
        await().atMost(WAIT).until(() -> fullIsr(brokers[2], topic));
        await().atMost(WAIT).until(() -> IntStream.range(0, BROKERS).allMatch(b -> led(brokers[0], topic, b) > 0));
        produceOneEach(brokers[1], topic, partitions, "before-");

        int x = brokers[0].partitionInfo(topic, 0).leader();
        int asker = (x + 1) % BROKERS;
        Map<Integer, Integer> epochsBefore = new HashMap<>();
        for (PartitionInfo p : brokers[asker].partitionInfos(topic)) {
            if (p.leader() == x) {
                epochsBefore.put(p.partition(), p.leaderEpoch());
            }
        }
        assertFalse(epochsBefore.isEmpty());

        DrainStatus drained = brokers[asker].drain(x, 30_000).join();
        assertEquals(new DrainStatus(x, true, 0), drained, "any broker drains any other");
        for (Broker b : brokers) {
            assertTrue(draining(b, x), "every broker sees the drain");
        }
        for (PartitionInfo p : brokers[asker].partitionInfos(topic)) {
            assertNotEquals(x, p.leader(), () -> "still led by the drained broker: " + p);
            if (epochsBefore.containsKey(p.partition())) {
                assertTrue(p.leaderEpoch() > epochsBefore.get(p.partition()), () -> "no new epoch: " + p);
                assertTrue(p.isr().contains(x), () -> "the drained broker left the ISR: " + p);
            }
        }
        assertEquals(0, brokers[asker].clusterView().offlinePartitions());
        // The new leaders take writes at once, and every record acknowledged before is there. (Through
        // the asker: the drained broker itself may still lead locally for a moment after the metadata
        // moved on, and an append it takes then is fenced and answered only at the ack timeout.)
        produceOneEach(brokers[asker], topic, partitions, "after-");
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            await().atMost(WAIT).until(() -> values(brokers[asker], topic, partition)
                    .equals(List.of("before-" + partition, "after-" + partition)));
        }

        // Past the preferred-leader settle the drained broker is still not given its partitions back.
        await().during(PAST_SETTLE).atMost(PAST_SETTLE.plusSeconds(5)).until(() -> led(brokers[asker], topic, x) == 0);

        DrainStatus undrained = brokers[x].undrain(x);
        assertEquals(x, undrained.broker());
        assertFalse(undrained.draining());
        await().atMost(WAIT).until(() -> brokers[asker].partitionInfos(topic).stream()
                .allMatch(p -> p.leader() == p.replicas().get(0)));
        assertTrue(led(brokers[asker], topic, x) > 0, "the undrained broker leads its preferred partitions again");
        assertFalse(draining(brokers[asker], x));
    }

    @Test
    void aPartitionWhoseOnlyInSyncReplicaDrainsStaysLedAndARestartEndsTheDrain() throws Exception {
        cluster.startAll(WAIT);
        brokers[0].createTopic("solo", 1, 1, Map.of());
        await().atMost(WAIT).until(() -> fullIsr(brokers[0], "solo"));
        PartitionInfo before = brokers[0].partitionInfo("solo", 0);
        int x = before.leader();

        // Nothing can move, so the answer comes at once rather than after the minute asked for.
        DrainStatus drained = brokers[(x + 1) % BROKERS].drain(x, 60_000).get(20, TimeUnit.SECONDS);
        assertTrue(drained.draining());
        assertTrue(drained.leaderships() > 0, () -> "it holds the only replica, yet: " + drained);
        PartitionInfo after = brokers[0].partitionInfo("solo", 0);
        assertEquals(x, after.leader(), "no other replica may lead it, and it does not go offline");
        assertEquals(before.leaderEpoch(), after.leaderEpoch());
        assertEquals(0, brokers[0].clusterView().offlinePartitions());

        SluiceException unknown = assertThrows(SluiceException.class, () -> brokers[0].drain(99, 0));
        assertEquals(ErrorCode.BROKER_NOT_FOUND, unknown.code());
        assertEquals(ErrorCode.BROKER_NOT_FOUND,
                assertThrows(SluiceException.class, () -> brokers[0].undrain(99)).code());

        int other = (x + 1) % BROKERS;
        brokers[x].close();
        brokers[x] = null;
        await().atMost(WAIT).until(() -> brokers[other].clusterView().offlinePartitions() == 1);
        assertTrue(draining(brokers[other], x), "the mark outlives the broker's stop");
        brokers[x] = cluster.open(x);
        await().atMost(WAIT).until(() -> !draining(brokers[other], x));
        await().atMost(WAIT).until(() -> brokers[other].partitionInfo("solo", 0).leader() == x);
    }
}
