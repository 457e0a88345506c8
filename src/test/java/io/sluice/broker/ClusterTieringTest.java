package io.sluice.broker;

import static io.sluice.broker.InJvmCluster.ReplicationPorts.FIXED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.log.LogConfig;
import io.sluice.log.LogRecord;
import io.sluice.tier.EmbeddedS3;
import io.sluice.tier.ObjectStore;
import io.sluice.tier.S3ObjectStore;
import io.sluice.tier.S3Settings;
import io.sluice.tier.Tier;
import io.sluice.tier.TierLayout;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiered storage in a cluster: three brokers in one JVM, each with its own tier client, sharing
 * one bucket on an in-process S3 server. Only the leader uploads, a new leader carries on where
 * the bucket ends, followers drop local segments the bucket holds, and a broker that lost its disk
 * gets the local tail from the leader and the rest from the bucket.
 */
class ClusterTieringTest {
    private static final int BROKERS = 3;
    private static final String BUCKET = "cluster-tier";
    private static final String PREFIX = "c1";
    private static final String TOPIC = "events";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** {@code {base:020d}-{epoch}-{uploadId}.meta}: one committed upload. */
    private static final Pattern META = Pattern.compile("/(\\d{20})-(\\d+)-([0-9a-f]{16})\\.meta$");

    @TempDir
    Path dir;

    private EmbeddedS3 s3;
    private S3ObjectStore inspector;
    private final Tier[] tiers = new Tier[BROKERS];
    /**
     * Fixed replication ports, as in production: a broker restarted on another replication port is not
     * reached by a follower fetcher made for its earlier address (the fetcher keeps its first client).
     */
    private final InJvmCluster cluster = new InJvmCluster(() -> dir, BROKERS, FIXED).adjustingConfigs(this::tiered)
            .openingWith(this::open);
    private final Broker[] brokers = cluster.brokers();

    /** One committed remote segment as the bucket lists it. */
    private record Meta(long base, int epoch, String uploadId) {
    }

    @BeforeEach
    void startStore() throws Exception {
        s3 = EmbeddedS3.start(dir.resolve("s3"), 0);
        inspector = S3ObjectStore.connect(settings(), Duration.ofSeconds(10));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = 0; i < BROKERS; i++) {
            close(i);
        }
        inspector.close();
        s3.close();
    }

    private S3Settings settings() {
        return new S3Settings(Optional.empty(), BUCKET, PREFIX, "us-east-1", Optional.empty(), Optional.empty())
                .withEndpoint(URI.create("http://127.0.0.1:" + s3.endpoint().getPort()), EmbeddedS3.ACCESS_KEY,
                        EmbeddedS3.SECRET_KEY);
    }

    private BrokerConfig tiered(BrokerConfig config) {
        LogConfig defaults = LogConfig.defaults().withRemoteStorage(true, LogConfig.USE_TOTAL_RETENTION,
                LogConfig.USE_TOTAL_RETENTION);
        return new BrokerConfig(config.dataDir(), config.brokerId(), true, 2, 2, defaults, 100)
                .withCluster(config.cluster());
    }

    private Broker open(BrokerConfig config) throws IOException {
        int id = config.brokerId();
        tiers[id] = new Tier(S3ObjectStore.connect(settings(), Duration.ofSeconds(5)), new TierLayout(PREFIX),
                System::currentTimeMillis, 4, 16 * 1024 * 1024, Duration.ofSeconds(3));
        return new Broker(config, tiers[id]);
    }

    private void close(int id) {
        if (brokers[id] != null) {
            brokers[id].close();
            tiers[id].close();
            brokers[id] = null;
            tiers[id] = null;
        }
    }

    private void createTopic() {
        brokers[0].createTopic(TOPIC, 1, 3, Map.of("min.insync.replicas", "2", "segment.bytes", "2048",
                "local.retention.bytes", "0"));
        await().atMost(WAIT).until(() -> fullIsr(brokers[0]));
        for (Broker b : brokers) {
            await().atMost(WAIT).until(() -> b.partitionInfo(TOPIC, 0).tierAvailable());
        }
    }

    private static boolean fullIsr(Broker b) {
        PartitionInfo p = b.partitionInfo(TOPIC, 0);
        return p.isr().size() == BROKERS && p.leader() >= 0;
    }

    private static String value(int i) {
        return "value-" + i + "-" + "x".repeat(60);
    }

    private static void produce(Broker through, int from, int count) {
        for (int i = from; i < from + count; i += 10) {
            List<ProduceRecord> batch = new ArrayList<>();
            for (int k = i; k < Math.min(from + count, i + 10); k++) {
                batch.add(new ProduceRecord(0, null, value(k).getBytes(StandardCharsets.UTF_8), null, List.of()));
            }
            List<RecordResult> results = through.produce(TOPIC, batch, Acks.ALL, null).join();
            results.forEach(r -> assertNull(r.error(), () -> "produce failed: " + r));
        }
    }

    private int leader() {
        for (Broker b : brokers) {
            if (b != null) {
                return b.partitionInfo(TOPIC, 0).leader();
            }
        }
        throw new IllegalStateException("no broker");
    }

    private Partition partition(int broker) {
        return brokers[broker].topic(TOPIC).partition(0);
    }

    /** The committed uploads in the bucket, by base offset, with the segment ranges from their {@code .meta}. */
    private List<Meta> metas() {
        List<Meta> metas = new ArrayList<>();
        for (ObjectStore.ObjectInfo o : inspector.list(PREFIX + "/").join()) {
            Matcher m = META.matcher(o.key());
            if (m.find()) {
                metas.add(new Meta(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), m.group(3)));
            }
        }
        metas.sort(Comparator.comparingLong(Meta::base));
        return metas;
    }

    /** One past the last offset the bucket holds without a hole from offset 0, as a fresh listing shows it. */
    private long bucketEnd(int through) {
        io.sluice.tier.RemoteLog view = io.sluice.tier.RemoteLog.unloaded(partition(through).remote().topicId(),
                TOPIC, 0);
        tiers[through].loadRemoteLog(view).join();
        return view.startOffset() == 0 ? view.contiguousEndOffset() : 0;
    }

    /** Every record from offset 0 to the high watermark through {@code b}, offsets dense. */
    private static List<String> readAll(Broker b) {
        List<String> values = new ArrayList<>();
        long next = 0;
        long end = b.partitionInfo(TOPIC, 0).highWatermark();
        while (next < end) {
            FetchResult r = b.fetch(TOPIC, 0, next, 1000, 64 * 1024, 0).join();
            assertFalse(r.records().isEmpty(), "no records at offset " + next);
            for (LogRecord rec : r.records()) {
                assertEquals(next, rec.offset(), "offsets are dense across remote and local");
                values.add(new String(rec.value(), StandardCharsets.UTF_8));
                next++;
            }
        }
        return values;
    }

    private static List<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(ClusterTieringTest::value).toList();
    }

    private boolean uploadedUpTo(int broker, long offset) {
        Partition p = partition(broker);
        return tiers[broker].uploader().backlogSegments() == 0 && p.remote().contiguousEndOffset() >= offset;
    }

    @Test
    void onlyTheLeaderUploadsAndANewLeaderCarriesOnWithoutAGapOrASecondUpload() {
        cluster.startAll(Duration.ofSeconds(20));
        createTopic();
        int first = leader();
        for (int from = 0; from < 300; from += 50) {
            produce(brokers[first], from, 50);
            assertFollowersKeepWhatTheBucketLacks(first);
        }
        await().atMost(WAIT).until(() -> uploadedUpTo(first, 250));

        List<Meta> before = metas();
        assertFalse(before.isEmpty());
        for (int i = 0; i < BROKERS; i++) {
            if (i != first) {
                assertEquals(0, tiers[i].uploader().uploadedBytes(), "follower " + i + " uploaded nothing");
            }
        }
        int firstEpoch = brokers[first].partitionInfo(TOPIC, 0).leaderEpoch();
        before.forEach(m -> assertEquals(firstEpoch, m.epoch(), "every upload is the leader's: " + m));
        assertOneUploadPerRangeWithoutGaps(before, partition(first).remote().segments().stream()
                .map(s -> s.nextOffset()).max(Long::compare).orElseThrow());

        // Followers drop what the bucket holds (local.retention.bytes=0), never more.
        for (int i = 0; i < BROKERS; i++) {
            int follower = i;
            if (follower == first) {
                continue;
            }
            await().atMost(WAIT).until(() -> partition(follower).localLogStartOffset() > 0);
            long localStart = partition(follower).localLogStartOffset();
            assertTrue(localStart <= bucketEnd(follower), "follower " + follower + " deleted local offsets below "
                    + localStart + ", beyond what the bucket holds");
            assertTrue(localStart <= partition(follower).highWatermark());
        }

        // The leader goes; the new one continues from the bucket's end.
        close(first);
        await().atMost(WAIT).until(() -> {
            int l = leader();
            return l >= 0 && l != first && brokers[l] != null
                    && partition(l).remote().uploadEpoch() == brokers[l].partitionInfo(TOPIC, 0).leaderEpoch();
        });
        int second = leader();
        produce(brokers[second], 300, 300);
        await().atMost(WAIT).until(() -> uploadedUpTo(second, 550));

        List<Meta> after = metas();
        assertTrue(after.stream().anyMatch(m -> m.epoch() > firstEpoch), "the new leader uploaded");
        assertOneUploadPerRangeWithoutGaps(after, partition(second).remote().endOffset());
        assertEquals(values(0, 600), readAll(brokers[second]));
        int survivor = 3 - first - second;
        assertEquals(values(0, 600), readAll(brokers[survivor]), "through the follower, forwarded");
    }

    /** No follower has deleted a local offset the bucket does not hold (its local start, then a listing). */
    private void assertFollowersKeepWhatTheBucketLacks(int leader) {
        for (int i = 0; i < BROKERS; i++) {
            if (i != leader && brokers[i] != null) {
                long localStart = partition(i).localLogStartOffset();
                long end = bucketEnd(leader);
                assertTrue(localStart == 0 || localStart <= end, "follower " + i + " deleted local offsets below "
                        + localStart + ", the bucket holds up to " + end);
            }
        }
    }

    /** Ranges in the bucket run on from 0 without a hole and without a range committed twice. */
    private void assertOneUploadPerRangeWithoutGaps(List<Meta> metas, long end) {
        // The remote view of the broker that uploaded last knows where each committed segment ends.
        Map<Long, Long> ranges = new java.util.TreeMap<>();
        for (Broker b : brokers) {
            if (b != null) {
                b.topic(TOPIC).partition(0).remote().segments().forEach(s -> ranges.put(s.baseOffset(),
                        s.nextOffset()));
            }
        }
        long next = 0;
        for (Meta m : metas) {
            assertEquals(next, m.base(), "segments are contiguous, none uploaded twice: " + metas);
            Long segmentEnd = ranges.get(m.base());
            assertTrue(segmentEnd != null, "a view knows segment " + m);
            next = segmentEnd;
        }
        assertEquals(end, next, "the bucket runs up to the uploader's remote end");
    }

    @Test
    void aBrokerThatLostItsDiskTakesTheTailFromTheLeaderAndTheRestFromTheBucket() throws Exception {
        cluster.startAll(Duration.ofSeconds(20));
        createTopic();
        int lost = leader(); // the preferred replica: it leads again once it is back in the ISR
        produce(brokers[lost], 0, 300);
        await().atMost(WAIT).until(() -> uploadedUpTo(lost, 250));

        close(lost);
        deleteRecursively(cluster.dataDir(lost));
        await().atMost(WAIT).until(() -> {
            int l = leader();
            return l >= 0 && l != lost;
        });
        int interim = leader();
        produce(brokers[interim], 300, 100);
        await().atMost(WAIT).until(() -> partition(interim).localLogStartOffset() > 0);

        brokers[lost] = cluster.open(lost);
        await().atMost(WAIT).until(() -> fullIsr(brokers[interim]) && brokers[lost].topic(TOPIC) != null
                && brokers[lost].topic(TOPIC).holds(0));
        Partition restored = partition(lost);
        assertTrue(restored.localLogStartOffset() > 0, "the empty disk took the leader's local tail, not the "
                + "whole history: local log start " + restored.localLogStartOffset());
        await().atMost(WAIT).until(() -> restored.remote().isLoaded());

        // Back as preferred leader, it serves the older range from the bucket and the tail from its disk.
        await().atMost(WAIT).until(() -> leader() == lost && partition(lost).remote().uploadEpoch() >= 0);
        assertEquals(values(0, 400), readAll(brokers[lost]));
        produce(brokers[lost], 400, 100);
        assertEquals(values(0, 500), readAll(brokers[lost]));
        await().atMost(WAIT).until(() -> uploadedUpTo(lost, 450));
        assertOneUploadPerRangeWithoutGaps(metas(), partition(lost).remote().endOffset());
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
