package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.it.BrokerClient.Fetch;
import io.sluice.it.BrokerClient.Fetched;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Compaction against a real process: a compacted topic with small segments takes many keyed records
 * while the broker's cleaner runs every 100 ms, and the broker is {@code kill -9}ed at seeded moments,
 * {@value #CYCLES} times. After each restart a reader from offset 0 over REST gets, for every key, its
 * latest acknowledged value (or a later one that was in flight at the kill), every acknowledged record
 * it gets at the offset it was acknowledged at, offsets increasing, and no error: nothing is corrupt.
 */
class CompactionCrashIT {
    private static final long SEED = Long.getLong("sluice.it.seed", 20261129L);
    private static final String TOPIC = "compacted";
    private static final int KEYS = 40;
    private static final int CYCLES = 4;
    private static final int RECORDS_PER_CYCLE = 3_000;

    /** A record sent: its key and per-key sequence number (values are key:seq). */
    private record Sent(String key, long seq) {
    }

    @Test
    void killDuringCompactionLeavesTheLatestValueOfEveryKeyAtItsOffset() throws IOException {
        System.out.println("CompactionCrashIT seed=" + SEED + " (rerun with -Dsluice.it.seed=" + SEED + ")");
        Random random = new Random(SEED);
        Path dataDir = BrokerProcess.freshDataDir("CompactionCrashIT");
        Map<String, Sent> sent = new ConcurrentHashMap<>();          // value -> what it is
        Map<String, Long> ackedOffset = new ConcurrentHashMap<>();   // value -> offset acknowledged
        Map<String, Long> latestAckedSeq = new ConcurrentHashMap<>(); // key -> seq of its latest acknowledged value
        Map<String, Long> nextSeq = new ConcurrentHashMap<>();
        Map<String, String> properties = Map.of("sluice.log.cleaner.backoff-ms", "100",
                "sluice.log.maintenance-interval-ms", "100");
        try (BrokerProcess broker = BrokerProcess.start("CompactionCrashIT", dataDir, properties)) {
            BrokerClient client = new BrokerClient(broker);
            client.createTopic(TOPIC, 1, Map.of("cleanup.policy", "compact", "segment.bytes", "4096"));
            for (int cycle = 1; cycle <= CYCLES; cycle++) {
                long runsBefore = cleanerRuns(client);
                int produced = 0;
                while (produced < RECORDS_PER_CYCLE) {
                    produced += produceBatch(client, random, sent, ackedOffset, latestAckedSeq, nextSeq);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> cleanerRuns(client) > runsBefore);
                // Keep writing (the cleaner keeps finding dirty segments) and kill at a seeded moment.
                AtomicBoolean stop = new AtomicBoolean();
                Random writerRandom = new Random(random.nextLong());
                Thread writer = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            produceBatch(client, writerRandom, sent, ackedOffset, latestAckedSeq, nextSeq);
                        } catch (RuntimeException | AssertionError e) {
                            return; // the kill: a request in flight may or may not have landed
                        }
                    }
                });
                writer.start();
                long delayMs = 50 + random.nextInt(1_500);
                await().pollDelay(Duration.ofMillis(delayMs)).atMost(Duration.ofSeconds(5)).until(() -> true);
                long runsAtKill = cleanerRuns(client);
                broker.kill9();
                stop.set(true);
                joinQuietly(writer);
                broker.restart();
                int read = verify(client, sent, ackedOffset, latestAckedSeq);
                System.out.printf("cycle %d: killed %d ms into writing with the cleaner running (%d passes in this"
                        + " launch); %d values acknowledged, %d records read back%n", cycle, delayMs, runsAtKill,
                        ackedOffset.size(), read);
            }
            int read = verify(client, sent, ackedOffset, latestAckedSeq);
            assertTrue(read < ackedOffset.size() / 4, "the cleaner compacted across the kills: " + read
                    + " records of " + ackedOffset.size() + " acknowledged remain");
            broker.stop();
        }
    }

    /** One acks=all batch of 1 to 20 keyed records; returns how many were acknowledged. */
    private static int produceBatch(BrokerClient client, Random random, Map<String, Sent> sent,
            Map<String, Long> ackedOffset, Map<String, Long> latestAckedSeq, Map<String, Long> nextSeq) {
        int n = 1 + random.nextInt(20);
        List<String> keys = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = "k" + random.nextInt(KEYS);
            long seq = nextSeq.merge(key, 1L, Long::sum);
            String value = key + ":" + seq;
            sent.put(value, new Sent(key, seq));
            keys.add(key);
            values.add(value);
        }
        long[] offsets = client.produceTo(TOPIC, 0, keys, values);
        for (int i = 0; i < n; i++) {
            ackedOffset.put(values.get(i), offsets[i]);
            latestAckedSeq.merge(keys.get(i), sent.get(values.get(i)).seq(), Math::max);
        }
        return n;
    }

    /** Reads the partition from 0 and checks it; returns how many records it holds. */
    private static int verify(BrokerClient client, Map<String, Sent> sent, Map<String, Long> ackedOffset,
            Map<String, Long> latestAckedSeq) {
        List<Fetched> all = readFromZero(client);
        Map<String, Long> lastSeenSeq = new HashMap<>();
        long previous = -1;
        for (Fetched r : all) {
            if (r.offset() <= previous) {
                fail("offset " + r.offset() + " after " + previous);
            }
            previous = r.offset();
            Sent s = sent.get(r.value());
            if (s == null || !s.key().equals(r.key())) {
                fail("offset " + r.offset() + ": " + r + " was never sent with that key");
            }
            Long acked = ackedOffset.get(r.value());
            if (acked != null && acked != r.offset()) {
                fail("value " + r.value() + " acknowledged at offset " + acked + " is read at " + r.offset());
            }
            lastSeenSeq.put(s.key(), s.seq());
        }
        for (Map.Entry<String, Long> e : latestAckedSeq.entrySet()) {
            Long seen = lastSeenSeq.get(e.getKey());
            if (seen == null || seen < e.getValue()) {
                fail("key " + e.getKey() + ": latest acknowledged value is seq " + e.getValue() + ", the log's last is "
                        + seen);
            }
        }
        return all.size();
    }

    /** Every record from offset 0 to the high watermark, following nextOffset across compaction's gaps. */
    private static List<Fetched> readFromZero(BrokerClient client) {
        List<Fetched> all = new ArrayList<>();
        long offset = 0;
        while (true) {
            Fetch f = client.fetch(TOPIC, 0, offset, 10_000);
            all.addAll(f.records());
            if (f.nextOffset() >= f.highWatermark()) {
                return all;
            }
            assertTrue(f.nextOffset() > offset, "a fetch at " + offset + " below the high watermark "
                    + f.highWatermark() + " moves on (next " + f.nextOffset() + ")");
            offset = f.nextOffset();
        }
    }

    /** The cleaner's passes since start, from the broker's Prometheus metrics. */
    private static long cleanerRuns(BrokerClient client) throws IOException {
        BrokerClient.Reply reply = client.send("GET", "/q/metrics", null);
        assertEquals(200, reply.status());
        for (String line : reply.body().split("\n")) {
            if (line.startsWith("sluice_log_cleaner_runs_total")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sluice_log_cleaner_runs_total in /q/metrics");
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
