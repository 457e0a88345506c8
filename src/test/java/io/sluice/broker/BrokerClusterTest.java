package io.sluice.broker;

import static io.sluice.broker.InJvmCluster.ReplicationPorts.EPHEMERAL;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.LogRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in one JVM, each with its own data dir, joined over real JGroups and replicating
 * over the real inter-broker protocol on 127.0.0.1: any broker serves any partition, records
 * acknowledged with acks=all survive the loss of a leader, and a returning broker catches up.
 */
class BrokerClusterTest {
    private static final int BROKERS = 3;

    @TempDir
    Path dir;

    @AutoClose private final InJvmCluster cluster = new InJvmCluster(() -> dir, BROKERS, EPHEMERAL);
    private final Broker[] brokers = cluster.brokers();

    private static ProduceRecord record(int partition, String value) {
        return new ProduceRecord(partition, null, value.getBytes(StandardCharsets.UTF_8), null, List.of());
    }

    private static List<String> values(List<LogRecord> records) {
        return records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static boolean fullIsr(Broker b, String topic) {
        return b.partitionInfos(topic).stream().allMatch(p -> p.isr().size() == BROKERS && p.leader() >= 0);
    }

    @Test
    void anyBrokerServesAnyPartitionAndAcknowledgedRecordsSurviveTheLeadersLoss() {
        cluster.startAll(Duration.ofSeconds(20));
        brokers[0].createTopic("orders", 3, 3, Map.of("min.insync.replicas", "2"));
        await().atMost(Duration.ofSeconds(20)).until(() -> fullIsr(brokers[2], "orders"));

        // through broker 2, which leads at most one of the three partitions: the rest is forwarded
        List<RecordResult> first = brokers[2].produce("orders", List.of(record(0, "a0"), record(1, "a1"),
                record(2, "a2")), Acks.ALL, null).join();
        first.forEach(r -> assertNull(r.error(), () -> "produce failed: " + r));
        for (int p = 0; p < 3; p++) {
            int partition = p;
            for (Broker reader : brokers) {
                await().atMost(Duration.ofSeconds(10)).until(() -> values(reader.fetch("orders", partition, 0, 10,
                        1 << 20, 0).join().records()).equals(List.of("a" + partition)));
            }
        }

        int leader = brokers[0].partitionInfo("orders", 0).leader();
        int survivor = (leader + 1) % BROKERS;
        int oldEpoch = brokers[survivor].partitionInfo("orders", 0).leaderEpoch();
        brokers[leader].close();
        brokers[leader] = null;
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            PartitionInfo p = brokers[survivor].partitionInfo("orders", 0);
            return p.leader() >= 0 && p.leader() != leader && p.leaderEpoch() > oldEpoch;
        });
        List<RecordResult> second = brokers[survivor].produce("orders", List.of(record(0, "b0")), Acks.ALL, null)
                .join();
        assertNull(second.get(0).error(), () -> "produce after failover failed: " + second);
        assertEquals(1, second.get(0).offset(), "offsets go on densely after the failover");
        await().atMost(Duration.ofSeconds(10)).until(() -> values(brokers[survivor].fetch("orders", 0, 0, 10,
                1 << 20, 0).join().records()).equals(List.of("a0", "b0")));

        brokers[leader] = cluster.open(leader);
        await().atMost(Duration.ofSeconds(30)).until(() -> fullIsr(brokers[leader], "orders"));
        PartitionInfo back = brokers[leader].partitionInfo("orders", 0);
        assertEquals(2, back.logEndOffset(), "the returning broker caught up");
        assertTrue(back.highWatermark() <= back.logEndOffset());
    }
    /**
     * Many acks=all produces forwarded by a follower to the leader wait for the high watermark, and
     * the high watermark waits for that same follower's fetches: the forwarded requests must never
     * hold the fetches back. On one shared connection, the listener's cap of 32 requests in flight
     * stopped the fetches until the produces timed out.
     */
    @Test
    void produceForwardedByAFollowerNeverHoldsBackItsOwnFetches() {
        cluster.startAll(Duration.ofSeconds(20));
        brokers[0].createTopic("payments", 1, 3, Map.of("min.insync.replicas", "3"));
        await().atMost(Duration.ofSeconds(20)).until(() -> fullIsr(brokers[0], "payments"));
        int leader = brokers[0].partitionInfo("payments", 0).leader();
        Broker follower = brokers[(leader + 1) % BROKERS];

        int requests = 200;
        List<CompletableFuture<List<RecordResult>>> produced = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            produced.add(follower.produce("payments", List.of(record(0, "p" + i)), Acks.ALL, null));
        }
        CompletableFuture.allOf(produced.toArray(CompletableFuture[]::new))
                .orTimeout(20, TimeUnit.SECONDS).join();
        for (CompletableFuture<List<RecordResult>> f : produced) {
            f.join().forEach(r -> assertNull(r.error(), () -> "produce failed: " + r));
        }
        assertEquals(requests, brokers[leader].partitionInfo("payments", 0).highWatermark());
    }
    /**
     * A reader caught up on a partition led elsewhere waits at the leader; many such waits through
     * one broker must not keep a later one from hearing of its record (the listener reads at most
     * 32 other requests of a connection at once, and a wait may last 30 s).
     */
    @Test
    void manyCaughtUpReadersOfPartitionsLedElsewhereEachHearOfTheirRecord() {
        cluster.startAll(Duration.ofSeconds(20));
        brokers[0].createTopic("ticks", 120, 1, Map.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> brokers[0].partitionInfos("ticks").stream()
                .allMatch(p -> p.leader() >= 0));
        List<Integer> ledBy1 = brokers[0].partitionInfos("ticks").stream().filter(p -> p.leader() == 1)
                .map(PartitionInfo::partition).toList();
        assertTrue(ledBy1.size() > 32, "partitions led by broker 1: " + ledBy1);
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int p : ledBy1) {
            waits.add(brokers[0].awaitData("ticks", p, 0, 30_000));
        }
        int last = ledBy1.get(ledBy1.size() - 1);
        brokers[1].produce("ticks", List.of(record(last, "tick")), Acks.LEADER, null).join();
        waits.get(waits.size() - 1).orTimeout(10, TimeUnit.SECONDS).join();
        assertTrue(waits.stream().limit(waits.size() - 1).noneMatch(CompletableFuture::isDone),
                "the other readers have nothing to hear of yet");
    }
}
