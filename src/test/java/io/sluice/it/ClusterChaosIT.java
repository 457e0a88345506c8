package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.it.ClusterChecks.PartitionView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leaders of a three-broker cluster die ({@code kill -9}) or freeze ({@code SIGSTOP} past failure
 * detection) again and again while a producer writes acks=all records through a broker that
 * survives the cycle. Every acknowledged record must be readable exactly once, at the offset it
 * was acknowledged with, through every broker; no record is ever in a log twice; and the replicas
 * must hold the same bytes up to the high watermark. Cycles: {@code -Dsluice.chaos.cycles} (5; the
 * {@code chaos-long} profile runs 20) per kind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterChaosIT {
    private static final int CYCLES = Integer.getInteger("sluice.chaos.cycles", 5);
    private static final int PARTITIONS = 3;
    private static final int BROKERS = 3;
    private static final Map<String, String> TOPIC_CONFIG = Map.of("min.insync.replicas", "2");
    private static final int[] ALL = {0, 1, 2};

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("ClusterChaosIT").brokers(BROKERS).build();

    /** The topics the cycles wrote, for the replica comparison at the end. */
    private static final Map<String, Boolean> WRITTEN = new LinkedHashMap<>();

    @Test
    @Order(1)
    void leadersKilledAgainAndAgainLoseNoAcknowledgedRecord() {
        runCycles("killed", true);
    }

    @Test
    @Order(2)
    void leadersPausedPastFailureDetectionLoseNoAcknowledgedRecord() {
        runCycles("paused", false);
    }

    @Test
    @Order(3)
    void replicasHoldTheSameBytesUpToTheHighWatermark() {
        Map<String, long[]> hws = new LinkedHashMap<>();
        Map<String, List<PartitionView>> views = new LinkedHashMap<>();
        for (String topic : WRITTEN.keySet()) {
            ClusterChecks.awaitFullIsr(brokers, topic, ALL);
            hws.put(topic, ClusterChecks.awaitQuiet(brokers, topic, PARTITIONS));
            views.put(topic, ClusterChecks.describe(brokers, topic, 0));
        }
        // Stopped cleanly, so the segment files are complete and nobody writes while we read them.
        for (int id = BROKERS - 1; id >= 0; id--) {
            brokers.stop(id);
        }
        for (String topic : WRITTEN.keySet()) {
            for (int p = 0; p < PARTITIONS; p++) {
                long hw = hws.get(topic)[p];
                List<ClusterChecks.DiskBatch> batches = ClusterChecks.assertReplicasIdentical(brokers, topic, p,
                        views.get(topic).get(p).replicas(), hw);
                ClusterChecks.report("ClusterChaosIT %s-%d: %d batches, high watermark %d, identical on %s", topic,
                        p, batches.size(), hw, views.get(topic).get(p).replicas());
            }
        }
        assertTrue(!WRITTEN.isEmpty() || CYCLES == 0, "no topic was written: run the whole class");
    }

    private void runCycles(String topic, boolean kill) {
        brokers.client(0).createTopic(topic, PARTITIONS, BROKERS, TOPIC_CONFIG);
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        WRITTEN.put(topic, true);
        List<Long> toLeader = new ArrayList<>();
        List<Long> toWrites = new ArrayList<>();
        long started = System.nanoTime();
        ChaosProducer producer = new ChaosProducer(brokers, topic, PARTITIONS, 0);
        try {
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(started));
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                int p = cycle % PARTITIONS;
                PartitionView before = ClusterChecks.describeAnywhere(brokers, topic, p, Set.of());
                int victim = before.leader();
                int survivor = (victim + 1) % BROKERS;
                producer.target(survivor);
                long t0 = System.nanoTime();
                if (kill) {
                    brokers.kill9(victim);
                } else {
                    brokers.pause(victim);
                }
                PartitionView after = ClusterChecks.awaitNewLeader(brokers, topic, p, survivor, before);
                long leaderAt = System.nanoTime();
                toLeader.add((leaderAt - t0) / 1_000_000);
                await().atMost(ClusterChecks.WAIT).pollInterval(Duration.ofMillis(20))
                        .until(() -> producer.ackedSince(p, leaderAt));
                toWrites.add((System.nanoTime() - t0) / 1_000_000);
                ClusterChecks.report("ClusterChaosIT %s cycle %d: partition %d leader %d (epoch %d) %s, new leader %d "
                        + "(epoch %d) after %d ms, writes after %d ms", topic, cycle, p, victim,
                        before.leaderEpoch(), kill ? "killed" : "paused", after.leader(), after.leaderEpoch(),
                        toLeader.get(cycle), toWrites.get(cycle));
                if (kill) {
                    brokers.restart(victim);
                } else {
                    brokers.resume(victim);
                    brokers.broker(victim).awaitReady();
                }
                ClusterChecks.awaitFullIsr(brokers, topic, survivor, victim);
            }
            long healed = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> producer.ackedEverywhereSince(healed));
        } finally {
            producer.close();
        }
        ClusterChecks.verifyRecords(brokers, topic, PARTITIONS, producer, ALL);
        ClusterChecks.report("ClusterChaosIT %s: %d cycles (%s), %d acknowledged, %d unknown, %d refused in %d s; "
                + "new leader after p50 %d ms, max %d ms; writes again after p50 %d ms, max %d ms; not acknowledged: %s",
                topic, CYCLES,
                kill ? "kill -9" : "SIGSTOP", producer.acked().size(), producer.unknown().size(),
                producer.refused().size(), (System.nanoTime() - started) / 1_000_000_000,
                ClusterChecks.percentile(toLeader, 50), ClusterChecks.percentile(toLeader, 100),
                ClusterChecks.percentile(toWrites, 50), ClusterChecks.percentile(toWrites, 100), producer.reasons());
    }
}
