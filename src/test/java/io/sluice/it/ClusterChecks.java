package io.sluice.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * What the cluster tests ask of a cluster of {@link BrokerProcesses}: each partition's state as a
 * broker describes it, waits for a new leader or a full ISR, and the checks that end every test:
 * every acknowledged record exactly once at its offset through every broker, and replicas
 * byte-identical on disk up to the high watermark.
 */
final class ClusterChecks {
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(50);

    private ClusterChecks() {
    }

    /** One partition as a broker describes it: the cluster's view, and the offsets of that broker's own replica. */
    record PartitionView(int partition, int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
            long highWatermark, long logEndOffset) {
        boolean isrFull() {
            return isr.size() == replicas.size() && isr.containsAll(replicas);
        }
    }

    /** One batch of a replica's segment files: offsets, its leader epoch, and a digest of its bytes. */
    record DiskBatch(long baseOffset, long lastOffset, int leaderEpoch, int bytesHash) {
    }

    /** The partitions of {@code topic} as broker {@code via} describes them, or null when it does not answer 200. */
    static List<PartitionView> describe(BrokerProcesses brokers, String topic, int via) {
        if (!brokers.broker(via).isAlive() || brokers.broker(via).isPaused()) {
            return null;
        }
        try {
            BrokerClient.Reply reply = brokers.client(via).send("GET", "/topics/" + topic, null);
            if (reply.status() != 200) {
                return null;
            }
            List<PartitionView> views = new ArrayList<>();
            for (JsonNode s : reply.json().get("partitionStates")) {
                views.add(new PartitionView(s.get("partition").asInt(), s.get("leader").asInt(),
                        s.get("leaderEpoch").asInt(), ints(s.get("replicas")), ints(s.get("isr")),
                        s.get("highWatermark").asLong(), s.get("logEndOffset").asLong()));
            }
            return views;
        } catch (IOException e) {
            return null;
        }
    }

    static PartitionView describe(BrokerProcesses brokers, String topic, int partition, int via) {
        List<PartitionView> all = describe(brokers, topic, via);
        return all == null ? null : all.get(partition);
    }

    /** The partition as the first broker (other than {@code exclude}) that answers describes it. */
    static PartitionView describeAnywhere(BrokerProcesses brokers, String topic, int partition, Set<Integer> exclude) {
        return await().atMost(WAIT).pollInterval(POLL).until(() -> IntStream.range(0, brokers.size())
                .filter(id -> !exclude.contains(id)).mapToObj(id -> describe(brokers, topic, partition, id))
                .filter(v -> v != null).findFirst().orElse(null), v -> v != null);
    }

    /** Waits until broker {@code via} sees partition {@code p} led by a broker other than {@code old}, at a newer epoch. */
    static PartitionView awaitNewLeader(BrokerProcesses brokers, String topic, int p, int via, PartitionView old) {
        return await().atMost(WAIT).pollInterval(POLL).until(() -> describe(brokers, topic, p, via),
                v -> v != null && v.leader() >= 0 && v.leader() != old.leader() && v.leaderEpoch() > old.leaderEpoch());
    }

    /**
     * Waits until every broker in {@code via} is in the majority with every broker alive, and sees
     * every partition with a leader and its whole replica set in sync. (A broker cut off from the
     * majority answers from its last copy of the metadata, so its view alone proves nothing.)
     */
    static void awaitFullIsr(BrokerProcesses brokers, String topic, int... via) {
        for (int id : via) {
            await().atMost(WAIT).pollInterval(POLL).until(() -> wholeCluster(brokers, id)
                    && fullIsr(describe(brokers, topic, id)));
        }
    }

    private static boolean fullIsr(List<PartitionView> views) {
        return views != null && views.stream().allMatch(v -> v.leader() >= 0 && v.isrFull());
    }

    /** Whether broker {@code via} is in the majority and sees every broker of the fixture alive ({@code GET /cluster}). */
    static boolean wholeCluster(BrokerProcesses brokers, int via) {
        JsonNode cluster = cluster(brokers, via);
        if (cluster == null || !cluster.path("quorum").asBoolean()) {
            return false;
        }
        int alive = 0;
        for (JsonNode b : cluster.get("brokers")) {
            alive += b.path("alive").asBoolean() ? 1 : 0;
        }
        return alive == brokers.size();
    }

    /** {@code GET /cluster} through broker {@code via}, or null when it does not answer 200. */
    static JsonNode cluster(BrokerProcesses brokers, int via) {
        if (!brokers.broker(via).isAlive() || brokers.broker(via).isPaused()) {
            return null;
        }
        try {
            BrokerClient.Reply reply = brokers.client(via).send("GET", "/cluster", null);
            return reply.status() == 200 ? reply.json() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Waits until the leader of every partition of a new topic knows where the bucket's log ends
     * ({@code tierAvailable}): until then a leader that did not create the topic refuses records
     * with TIER_UNAVAILABLE (ClusterRestartIT.aNewTopicTakesRecordsAtOnce pins that).
     */
    static void awaitLeadersKnowTheirTier(BrokerProcesses brokers, String topic) {
        await().atMost(WAIT).pollInterval(POLL).until(() -> {
            List<PartitionView> views = describe(brokers, topic, 0);
            if (views == null) {
                return false;
            }
            for (PartitionView v : views) {
                if (v.leader() < 0) {
                    return false;
                }
                BrokerClient.Reply reply = brokers.client(v.leader()).send("GET", "/topics/" + topic, null);
                if (reply.status() != 200 || !reply.json().get("partitionStates").get(v.partition())
                        .get("tierAvailable").asBoolean()) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * Waits until every replica of every partition holds the same log end, equal to the leader's
     * high watermark (nothing in flight), and returns each partition's high watermark.
     */
    static long[] awaitQuiet(BrokerProcesses brokers, String topic, int partitions) {
        long[] hw = new long[partitions];
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            hw[p] = await().atMost(WAIT).pollInterval(POLL).until(() -> {
                PartitionView any = describe(brokers, topic, partition, 0);
                if (any == null || !any.isrFull()) {
                    return -1L;
                }
                long leaderHw = describe(brokers, topic, partition, any.leader()).highWatermark();
                for (int r : any.replicas()) {
                    PartitionView own = describe(brokers, topic, partition, r);
                    if (own == null || own.logEndOffset() != leaderHw || own.highWatermark() != leaderHw) {
                        return -1L;
                    }
                }
                return leaderHw;
            }, v -> v >= 0);
        }
        return hw;
    }

    /**
     * Reads every partition from offset 0 through every broker in {@code via} and checks: offsets
     * dense from 0; no id twice; every acknowledged id at the offset it was acknowledged with;
     * no refused id; every broker reads the same records. Returns the ids found per partition.
     */
    static List<Map<String, Long>> verifyRecords(BrokerProcesses brokers, String topic, int partitions,
            ChaosProducer producer, int... via) {
        Map<String, ChaosProducer.Ack> acked = producer.acked();
        Set<String> refused = producer.refused();
        List<Map<String, Long>> found = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            List<BrokerClient.Fetched> first = null;
            for (int id : via) {
                int partition = p;
                List<BrokerClient.Fetched> records = brokers.client(id).fetchAll(topic, p, 0);
                for (int i = 0; i < records.size(); i++) {
                    long offset = records.get(i).offset();
                    assertEquals(i, offset, () -> "offsets of " + topic + "-" + partition + " through broker " + id
                            + " are not dense from 0");
                }
                if (first == null) {
                    first = records;
                } else {
                    List<BrokerClient.Fetched> expected = first;
                    int common = Math.min(expected.size(), records.size());
                    assertEquals(expected.subList(0, common), records.subList(0, common),
                            () -> topic + "-" + partition + " reads differently through broker " + id);
                }
            }
            Map<String, Long> ids = new HashMap<>();
            for (BrokerClient.Fetched r : first) {
                Long before = ids.put(r.value(), r.offset());
                int partition = p;
                assertTrue(before == null, () -> "id " + r.value() + " twice in " + topic + "-" + partition
                        + ", at " + before + " and " + r.offset());
                assertTrue(!refused.contains(r.value()), () -> "refused id " + r.value() + " is in " + topic + "-"
                        + partition + " at " + r.offset());
            }
            found.add(ids);
        }
        for (Map.Entry<String, ChaosProducer.Ack> e : acked.entrySet()) {
            ChaosProducer.Ack ack = e.getValue();
            Long at = found.get(ack.partition()).get(e.getKey());
            assertEquals(Long.valueOf(ack.offset()), at, () -> "acknowledged id " + e.getKey() + " (" + ack
                    + ") is " + (at == null ? "missing" : "at another offset"));
        }
        return found;
    }

    /**
     * Reads the segment files of every replica of partition {@code p} (brokers stopped) and
     * checks that they hold the same batches, byte for byte, below {@code highWatermark}; returns
     * those batches.
     */
    static List<DiskBatch> assertReplicasIdentical(BrokerProcesses brokers, String topic, int p,
            List<Integer> replicas, long highWatermark) {
        List<DiskBatch> reference = null;
        int referenceBroker = -1;
        for (int id : replicas) {
            Path dir = SegmentFiles.partitionDir(brokers.broker(id).dataDir(), topic, p);
            List<DiskBatch> batches = diskBatches(dir, highWatermark);
            long end = batches.isEmpty() ? 0 : batches.get(batches.size() - 1).lastOffset() + 1;
            int broker = id;
            assertEquals(highWatermark, end, () -> "replica of " + topic + "-" + p + " on broker " + broker
                    + " ends below the high watermark");
            if (reference == null) {
                reference = batches;
                referenceBroker = id;
            } else {
                int from = referenceBroker;
                assertEquals(reference, batches, () -> topic + "-" + p + ": replicas on brokers " + from + " and "
                        + broker + " differ below the high watermark " + highWatermark);
            }
        }
        return reference;
    }

    /** The batches of a partition directory that end below {@code limit}, in offset order, dense from 0. */
    static List<DiskBatch> diskBatches(Path partitionDir, long limit) {
        List<DiskBatch> out = new ArrayList<>();
        long next = 0;
        for (Path file : SegmentFiles.logFiles(partitionDir)) {
            try (FileRecords records = FileRecords.open(file.toFile(), false);
                    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                for (FileChannelRecordBatch b : records.batches()) {
                    if (b.lastOffset() >= limit) {
                        return out;
                    }
                    b.ensureValid();
                    long expected = next;
                    assertEquals(expected, b.baseOffset(), () -> "offset gap in " + file + " at " + b.position());
                    int epochBefore = out.isEmpty() ? -1 : out.get(out.size() - 1).leaderEpoch();
                    assertTrue(b.partitionLeaderEpoch() >= epochBefore, () -> "leader epoch goes back from "
                            + epochBefore + " to " + b.partitionLeaderEpoch() + " in " + file + " at " + b.position());
                    ByteBuffer bytes = ByteBuffer.allocate(b.sizeInBytes());
                    channel.read(bytes, b.position());
                    out.add(new DiskBatch(b.baseOffset(), b.lastOffset(), b.partitionLeaderEpoch(),
                            Arrays.hashCode(bytes.array())));
                    next = b.lastOffset() + 1;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
        }
        return out;
    }

    /**
     * Prints a line of figures, and appends it to {@code target/it-logs/cluster-figures.txt} so
     * that the figures of every run can be read after the build.
     */
    static void report(String format, Object... args) {
        String line = String.format(format, args);
        System.out.println(line);
        try {
            Path file = Path.of("target", "it-logs", "cluster-figures.txt");
            Files.createDirectories(file.getParent());
            Files.writeString(file, java.time.Instant.now() + " " + line + System.lineSeparator(),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the figures", e);
        }
    }

    /** The p-th percentile (0..100) of {@code millis}, nearest rank. */
    static long percentile(List<Long> millis, int p) {
        if (millis.isEmpty()) {
            return -1;
        }
        List<Long> sorted = millis.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
