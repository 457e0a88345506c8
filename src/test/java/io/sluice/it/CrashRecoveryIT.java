package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.it.BrokerClient.Fetched;
import io.sluice.it.BrokerClient.Reply;
import io.sluice.it.SegmentFiles.KafkaRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * Invariant 1 and 2 of DESIGN.md against a real process: records acknowledged with acks=all
 * survive {@code kill -9} at exactly their acknowledged partition and offset, offsets stay dense,
 * no value appears twice, and the log takes appends again at its end after the restart.
 *
 * <p>Concurrent writers produce keyed batches of 1 to 50 records with unique values until enough
 * are acknowledged; the broker is killed while they still produce, restarted on the same data dir
 * and checked, {@value #CYCLES} times. A request that was in flight at the kill may or may not have
 * landed; every value found must still be one that was sent, with its key. Segments are 64 KiB,
 * so the kills hit logs with closed segments and rolls in progress. Finally Kafka's own classes
 * decode every segment file.
 */
class CrashRecoveryIT {
    private static final long SEED = Long.getLong("sluice.it.seed", 20261125L);
    private static final String TOPIC = "crash";
    private static final int PARTITIONS = 3;
    private static final int WRITERS = 3;
    private static final int CYCLES = 3;
    private static final int ACKS_PER_CYCLE = 2_000;
    private static final int MAX_BATCH = 50;

    /** Where an acknowledged (or found) record sits. */
    private record Written(int partition, long offset, String key) {
    }

    @Test
    void ackedRecordsSurviveKill9AtTheirOffsets() {
        System.out.println("CrashRecoveryIT seed=" + SEED + " (rerun with -Dsluice.it.seed=" + SEED + ")");
        Path dataDir = BrokerProcess.freshDataDir("CrashRecoveryIT");
        Map<String, Written> acked = new ConcurrentHashMap<>();
        Map<String, String> sent = new ConcurrentHashMap<>(); // value -> key, of every record ever sent
        List<List<Fetched>> lastSeen = emptySnapshot();
        try (BrokerProcess broker = BrokerProcess.start("CrashRecoveryIT", dataDir, Map.of())) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic(TOPIC, PARTITIONS, Map.of("segment.bytes", "65536"));
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                ProduceLoop loop = new ProduceLoop(client, cycle, acked, sent);
                int target = acked.size() + ACKS_PER_CYCLE;
                loop.start();
                try {
                    await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(10))
                            .failFast("a writer failed before the kill", () -> !loop.problems.isEmpty())
                            .until(() -> acked.size() >= target);
                    loop.expectFailures.set(true);
                    broker.kill9();
                } finally {
                    loop.stopAndJoin();
                }
                assertTrue(loop.problems.isEmpty(), () -> "writers failed before the kill: " + loop.problems);
                int ackedAtKill = acked.size();

                broker.restart();
                lastSeen = verify(client, acked, sent, lastSeen);
                int found = lastSeen.stream().mapToInt(List::size).sum();
                System.out.printf("cycle %d: %d acknowledged, %d sent, %d in the log after kill -9 and restart%n",
                        cycle, ackedAtKill, sent.size(), found);
                produceAtLogEnd(client, cycle, acked, sent, lastSeen);
            }
            broker.stop();
            assertSegmentsDecodeWithKafka(dataDir, lastSeen);
        }
    }

    /**
     * Reads every partition and checks it against what was sent and acknowledged, and against what
     * the previous check saw (which must still be there, unchanged). Returns what it read.
     */
    private static List<List<Fetched>> verify(BrokerClient client, Map<String, Written> acked, Map<String, String> sent,
            List<List<Fetched>> before) {
        long[] ends = client.logEndOffsets(TOPIC);
        Map<String, Written> found = new HashMap<>();
        List<List<Fetched>> now = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            List<Fetched> log = client.fetchAll(TOPIC, p, 0);
            now.add(log);
            assertEquals(ends[p], log.size(), "records of partition " + p + " vs its logEndOffset");
            for (int i = 0; i < log.size(); i++) {
                Fetched r = log.get(i);
                if (r.offset() != i) {
                    fail("partition " + p + ": offsets not dense, record " + i + " has offset " + r.offset());
                }
                String key = sent.get(r.value());
                if (key == null || !key.equals(r.key())) {
                    fail("partition " + p + " offset " + i + ": " + r + " was never sent (sent key for this value: "
                            + key + ")");
                }
                Written earlier = found.put(r.value(), new Written(p, r.offset(), r.key()));
                if (earlier != null) {
                    fail("value " + r.value() + " at two offsets: " + earlier + " and partition " + p + " offset " + i);
                }
                if (key.startsWith("k")) {
                    int expected = Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
                    assertEquals(expected, p, () -> "Kafka's partitioner puts key " + key + " elsewhere");
                }
            }
            List<Fetched> previous = before.get(p);
            assertTrue(previous.size() <= log.size(), "partition " + p + " shrank from " + previous.size() + " to "
                    + log.size() + " records");
            assertEquals(previous, log.subList(0, previous.size()), "partition " + p + " changed what it held before");
        }
        for (Map.Entry<String, Written> a : acked.entrySet()) {
            Written where = found.get(a.getKey());
            if (!a.getValue().equals(where)) {
                fail("acknowledged value " + a.getKey() + " at " + a.getValue() + " is now at " + where);
            }
        }
        return now;
    }

    /** One record per partition after the restart: it must land at the log end offset and be readable. */
    private static void produceAtLogEnd(BrokerClient client, int cycle, Map<String, Written> acked,
            Map<String, String> sent, List<List<Fetched>> seen) {
        for (int p = 0; p < PARTITIONS; p++) {
            long end = seen.get(p).size();
            String key = "probe" + cycle + "-" + p;
            String value = "after-restart-" + cycle + "-" + p;
            sent.put(value, key);
            long offset = client.produceTo(TOPIC, p, List.of(key), List.of(value))[0];
            assertEquals(end, offset, "first offset after restart " + cycle + " of partition " + p);
            acked.put(value, new Written(p, offset, key));
            List<Fetched> read = client.fetch(TOPIC, p, offset, 10).records();
            assertEquals(List.of(new Fetched(offset, key, value)), read);
            seen.get(p).add(read.get(0));
        }
    }

    /** Kafka's classes must find whole, valid batches, dense across files, holding what the broker served. */
    private static void assertSegmentsDecodeWithKafka(Path dataDir, List<List<Fetched>> served) {
        int closedSegments = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            List<Path> files = SegmentFiles.logFiles(SegmentFiles.partitionDir(dataDir, TOPIC, p));
            closedSegments += files.size() - 1;
            long next = 0;
            List<KafkaRecord> decoded = new ArrayList<>();
            for (Path f : files) {
                assertEquals(next, SegmentFiles.baseOffsetOf(f), "segment file name vs offsets before it");
                next = SegmentFiles.assertWholeValidBatches(f, next);
                decoded.addAll(SegmentFiles.records(f));
            }
            List<Fetched> expected = served.get(p);
            assertEquals(expected.size(), decoded.size(), "records Kafka decodes in partition " + p);
            for (int i = 0; i < decoded.size(); i++) {
                Fetched e = expected.get(i);
                // Values were produced as JSON strings: stored as their JSON text, quotes included.
                assertEquals(new KafkaRecord(e.offset(), e.key(), "\"" + e.value() + "\""), decoded.get(i));
            }
        }
        System.out.println("Kafka decoded every segment; closed segments: " + closedSegments);
        assertTrue(closedSegments >= PARTITIONS, "segments should have rolled, closed segments: " + closedSegments);
    }

    private static List<List<Fetched>> emptySnapshot() {
        List<List<Fetched>> s = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            s.add(new ArrayList<>());
        }
        return s;
    }

    /** {@value #WRITERS} threads producing keyed acks=all batches until stopped; failures end a thread. */
    private static final class ProduceLoop {
        private final BrokerClient client;
        private final int cycle;
        private final Map<String, Written> acked;
        private final Map<String, String> sent;
        private final List<Thread> threads = new ArrayList<>();
        /** Set just before the kill: from then on a failed request is expected, not a problem. */
        final AtomicBoolean expectFailures = new AtomicBoolean();
        private final AtomicBoolean stop = new AtomicBoolean();
        final Queue<String> problems = new ConcurrentLinkedQueue<>();

        ProduceLoop(BrokerClient client, int cycle, Map<String, Written> acked, Map<String, String> sent) {
            this.client = client;
            this.cycle = cycle;
            this.acked = acked;
            this.sent = sent;
        }

        void start() {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                Random random = new Random(SEED + 1_000L * cycle + writer);
                Thread t = new Thread(() -> run(writer, random), "producer-" + cycle + "-" + writer);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }

        private void run(int writer, Random random) {
            long seq = 0;
            while (!stop.get()) {
                int n = 1 + random.nextInt(MAX_BATCH);
                List<String> keys = new ArrayList<>(n);
                List<String> values = new ArrayList<>(n);
                ArrayNode records = BrokerClient.JSON.createArrayNode();
                for (int i = 0; i < n; i++, seq++) {
                    String id = cycle + "." + writer + "-" + seq;
                    String key = "k" + id;
                    String value = "w" + id + "|" + padding(random);
                    keys.add(key);
                    values.add(value);
                    sent.put(value, key);
                    records.addObject().put("key", key).put("value", value);
                }
                ObjectNode body = BrokerClient.JSON.createObjectNode();
                body.set("records", records);
                Reply reply;
                try {
                    reply = client.send("POST", "/topics/" + TOPIC + "/records?acks=all", body.toString());
                } catch (IOException e) {
                    if (!expectFailures.get()) {
                        problems.add(Thread.currentThread().getName() + ": " + e);
                    }
                    return;
                }
                if (reply.status() != 200) {
                    problems.add(Thread.currentThread().getName() + ": status " + reply.status() + " " + reply.body());
                    return;
                }
                JsonNode offsets = reply.json().get("offsets");
                if (offsets == null || offsets.size() != n) {
                    problems.add("reply does not list " + n + " offsets: " + reply.body());
                    return;
                }
                for (int i = 0; i < n; i++) {
                    JsonNode o = offsets.get(i);
                    acked.put(values.get(i), new Written(o.get("partition").asInt(), o.get("offset").asLong(),
                            keys.get(i)));
                }
            }
        }

        /** Checkable but not trivially compressible: 20 to 200 letters. */
        private static String padding(Random random) {
            char[] c = new char[20 + random.nextInt(181)];
            for (int i = 0; i < c.length; i++) {
                c[i] = (char) ('a' + random.nextInt(26));
            }
            return new String(c);
        }

        void stopAndJoin() {
            stop.set(true);
            for (Thread t : threads) {
                try {
                    t.join(Duration.ofSeconds(40).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (t.isAlive()) {
                    problems.add(t.getName() + " did not stop");
                }
            }
        }
    }
}
