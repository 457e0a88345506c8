package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.it.ClusterChecks.DiskBatch;
import io.sluice.it.ClusterChecks.PartitionView;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network partition: the leader of a partition is cut off (iptables, both directions) from the
 * other two brokers of a three-broker cluster. The isolated leader must acknowledge no acks=all
 * write sent to it (it can neither reach its followers nor shrink its ISR on the minority side),
 * the majority must elect a new leader at a higher epoch and acknowledge writes, and after the
 * heal the old leader must drop what only it wrote, catch up and rejoin the ISR: every record
 * acknowledged anywhere is then present exactly once, at its offset, on every replica, byte for
 * byte. Short timeouts (acks after 5 s, ISR lag 2 s) keep it quick.
 */
class ClusterPartitionIT {
    private static final String TOPIC = "split";
    private static final int[] ALL = {0, 1, 2};

    @RegisterExtension
    static final PacketFilter filter = new PacketFilter();

    @RegisterExtension
    static final BrokerProcesses brokers = BrokerProcesses.builder("ClusterPartitionIT")
            .property("sluice.replication.ack-timeout-ms", "5000")
            .property("sluice.replication.lag-time-max-ms", "2000")
            .build();

    @Test
    void anIsolatedLeaderAcknowledgesNothingAndTheMajorityTakesOver() {
        isolateTheLeader(TOPIC, 2);
    }

    /**
     * With {@code min.insync.replicas=1} the only thing that keeps an isolated leader from
     * acknowledging alone is that it cannot shrink its ISR to itself: the metadata refuses writes
     * on the minority side of a split.
     */
    @Test
    void anIsolatedLeaderAcknowledgesNothingEvenWithOneInSyncReplicaRequired() {
        isolateTheLeader(TOPIC + "-min-isr-1", 1);
    }

    private void isolateTheLeader(String topic, int minInsyncReplicas) {
        PacketFilter.assumeAvailable();
        brokers.client(0).createTopic(topic, 1, 3, Map.of("min.insync.replicas", Integer.toString(minInsyncReplicas)));
        ClusterChecks.awaitFullIsr(brokers, topic, ALL);
        // So that the isolated leader takes the writes sent to it (see ClusterChecks).
        ClusterChecks.awaitLeadersKnowTheirTier(brokers, topic);
        PartitionView before = ClusterChecks.describe(brokers, topic, 0, 0);
        int old = before.leader();
        int majority = (old + 1) % 3;
        int other = (old + 2) % 3;

        ChaosProducer toMajority = new ChaosProducer(brokers, topic, 1, majority, "majority");
        ChaosProducer toIsolated = null;
        long[] figures = new long[3];
        try {
            long started = System.nanoTime();
            await().atMost(ClusterChecks.WAIT).until(() -> toMajority.ackedSince(0, started));

            long cutAt = System.nanoTime();
            filter.cut(BrokerProcesses.address(old), BrokerProcesses.address(majority));
            filter.cut(BrokerProcesses.address(old), BrokerProcesses.address(other));
            toIsolated = new ChaosProducer(brokers, topic, 1, old, "isolated");

            PartitionView after = ClusterChecks.awaitNewLeader(brokers, topic, 0, majority, before);
            long leaderAt = System.nanoTime();
            figures[0] = (leaderAt - cutAt) / 1_000_000;
            assertTrue(after.leader() == majority || after.leader() == other, after::toString);
            await().atMost(ClusterChecks.WAIT).until(() -> toMajority.ackedSince(0, leaderAt));
            figures[1] = (System.nanoTime() - cutAt) / 1_000_000;

            // The isolated leader's writes wait for followers it cannot reach, then fail.
            ChaosProducer isolated = toIsolated;
            await().atMost(ClusterChecks.WAIT).until(() -> !isolated.acked().isEmpty()
                    || isolated.unknown().size() + isolated.refused().size() >= 3);
            isolated.close();
            assertEquals(0, isolated.acked().size(), () -> "the isolated leader acknowledged " + isolated.acked().size()
                    + " acks=all writes, up to offset " + isolated.acked().values().stream()
                            .mapToLong(ChaosProducer.Ack::offset).max().orElse(-1) + "; new leader " + after);

            filter.heal();
            long healedAt = System.nanoTime();
            ClusterChecks.awaitFullIsr(brokers, topic, ALL);
            long caughtUp = System.nanoTime();
            figures[2] = (caughtUp - healedAt) / 1_000_000;
            await().atMost(ClusterChecks.WAIT).until(() -> toMajority.ackedSince(0, caughtUp));
        } finally {
            toMajority.close();
            if (toIsolated != null) {
                toIsolated.close();
            }
        }

        Map<String, Long> found = ClusterChecks.verifyRecords(brokers, topic, 1, toMajority, ALL).get(0);
        ChaosProducer isolated = toIsolated;
        List<String> isolatedFound = isolated.unknown().stream().filter(found::containsKey).sorted().toList();
        assertEquals(List.of(), isolatedFound, "records only the isolated leader wrote survived the heal");
        List<String> refusedFound = isolated.refused().stream().filter(found::containsKey).sorted().toList();
        assertEquals(List.of(), refusedFound, "records the isolated leader refused are in the log");
        PartitionView end = ClusterChecks.describe(brokers, topic, 0, majority);

        long hw = ClusterChecks.awaitQuiet(brokers, topic, 1)[0];
        for (int id = 2; id >= 0; id--) {
            brokers.stop(id);
        }
        List<DiskBatch> batches = ClusterChecks.assertReplicasIdentical(brokers, topic, 0, end.replicas(), hw);
        // Back up for the next test: launched together, as brokers of a cluster wait for a majority.
        for (int id : ALL) {
            brokers.broker(id).launch();
        }
        for (int id : ALL) {
            brokers.broker(id).awaitReady();
        }
        // Acknowledged after the new leader took over: written in its epoch or later, never the old one's.
        long firstNewEpochOffset = batches.stream().filter(b -> b.leaderEpoch() > before.leaderEpoch())
                .mapToLong(DiskBatch::baseOffset).min().orElse(Long.MAX_VALUE);
        assertTrue(batches.stream().filter(b -> b.baseOffset() >= firstNewEpochOffset)
                .allMatch(b -> b.leaderEpoch() > before.leaderEpoch()), "an old-epoch batch after a new-epoch one");

        ClusterChecks.report("ClusterPartitionIT %s (min.insync.replicas=%d): leader %d cut off at epoch %d; new leader after %d ms, majority "
                + "writes again after %d ms; isolated leader: %d writes sent, 0 acknowledged (%s); ISR full %d ms "
                + "after the heal; %d acknowledged through the majority, %d unknown; epochs on disk %s",
                topic, minInsyncReplicas, old, before.leaderEpoch(), figures[0], figures[1], isolated.unknown().size()
                        + isolated.refused().size(), isolated.reasons(), figures[2], toMajority.acked().size(),
                toMajority.unknown().size(), batches.stream().map(DiskBatch::leaderEpoch).distinct().toList());
    }
}
